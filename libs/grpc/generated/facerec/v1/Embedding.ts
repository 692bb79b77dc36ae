// Original file: proto/facerec/v1/common.proto


export interface Embedding {
  /**
   * Embedding model that made it (e.g. "dlib-resnet"); vectors of different models never mix.
   */
  'model'?: (string);
  'values'?: (number | string)[];
}

export interface Embedding__Output {
  /**
   * Embedding model that made it (e.g. "dlib-resnet"); vectors of different models never mix.
   */
  'model': (string);
  'values': (number)[];
}
