// Original file: proto/facerec/v1/embedder.proto


export interface EmbedderInfo {
  'model'?: (string);
  'dimension'?: (number);
  /**
   * Chip size the model expects.
   */
  'chipSize'?: (number);
}

export interface EmbedderInfo__Output {
  'model': (string);
  'dimension': (number);
  /**
   * Chip size the model expects.
   */
  'chipSize': (number);
}
