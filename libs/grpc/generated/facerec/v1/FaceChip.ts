// Original file: proto/facerec/v1/common.proto


/**
 * A face chip aligned for an embedding model: 8-bit RGB, size x size, interleaved.
 */
export interface FaceChip {
  'size'?: (number);
  'rgb'?: (Buffer | Uint8Array | string);
}

/**
 * A face chip aligned for an embedding model: 8-bit RGB, size x size, interleaved.
 */
export interface FaceChip__Output {
  'size': (number);
  'rgb': (Buffer);
}
