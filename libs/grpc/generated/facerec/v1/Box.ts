// Original file: proto/facerec/v1/common.proto


/**
 * Pixel box in the frame it was found in, x/y top-left.
 * Image pixels, in double precision as computed: a chip or thumbnail cut from a reply's box and
 * points elsewhere (the decoder, for video) is then the very one the detector would have cut.
 */
export interface Box {
  'x'?: (number | string);
  'y'?: (number | string);
  'w'?: (number | string);
  'h'?: (number | string);
}

/**
 * Pixel box in the frame it was found in, x/y top-left.
 * Image pixels, in double precision as computed: a chip or thumbnail cut from a reply's box and
 * points elsewhere (the decoder, for video) is then the very one the detector would have cut.
 */
export interface Box__Output {
  'x': (number);
  'y': (number);
  'w': (number);
  'h': (number);
}
