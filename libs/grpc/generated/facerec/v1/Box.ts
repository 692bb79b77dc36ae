// Original file: proto/facerec/v1/common.proto


/**
 * Pixel box in the frame it was found in, x/y top-left.
 */
export interface Box {
  'x'?: (number | string);
  'y'?: (number | string);
  'w'?: (number | string);
  'h'?: (number | string);
}

/**
 * Pixel box in the frame it was found in, x/y top-left.
 */
export interface Box__Output {
  'x': (number);
  'y': (number);
  'w': (number);
  'h': (number);
}
