// Original file: proto/facerec/v1/matcher.proto


export interface ImportChunk {
  /**
   * Only in the first chunk: a name for the new model instead of the exported one.
   */
  'name'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

export interface ImportChunk__Output {
  /**
   * Only in the first chunk: a name for the new model instead of the exported one.
   */
  'name': (string);
  'data': (Buffer);
}
