// Original file: proto/facerec/v1/common.proto


/**
 * One decoded frame: 8-bit RGB, interleaved, row-major. Images are frame 0.
 */
export interface Frame {
  /**
   * 0-based index of the decoded frame in its source.
   */
  'index'?: (number);
  'width'?: (number);
  'height'?: (number);
  'rgb'?: (Buffer | Uint8Array | string);
}

/**
 * One decoded frame: 8-bit RGB, interleaved, row-major. Images are frame 0.
 */
export interface Frame__Output {
  /**
   * 0-based index of the decoded frame in its source.
   */
  'index': (number);
  'width': (number);
  'height': (number);
  'rgb': (Buffer);
}
