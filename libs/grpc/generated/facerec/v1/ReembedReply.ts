// Original file: proto/facerec/v1/matcher.proto


export interface ReembedReply {
  'model'?: (string);
  'samples'?: (number);
  /**
   * Samples whose crop could not be re-embedded, with the reason (empty: the gallery was re-embedded).
   */
  'failed'?: (string)[];
  'embeddingModel'?: (string);
}

export interface ReembedReply__Output {
  'model': (string);
  'samples': (number);
  /**
   * Samples whose crop could not be re-embedded, with the reason (empty: the gallery was re-embedded).
   */
  'failed': (string)[];
  'embeddingModel': (string);
}
