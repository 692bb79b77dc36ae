// Original file: proto/facerec/v1/common.proto


export interface Embedding {
  /**
   * Embedding model that made it (e.g. "dlib-resnet"); vectors of different models never mix.
   */
  'model'?: (string);
  'values'?: (number | string)[];
  /**
   * The same values as little-endian 32-bit floats, in place of `values` (a receiver takes `packed`
   * when it is not empty): one buffer per vector to decode, where `values` makes an array of
   * numbers that a batch of thousands of templates turns into tens of MB of garbage.
   */
  'packed'?: (Buffer | Uint8Array | string);
}

export interface Embedding__Output {
  /**
   * Embedding model that made it (e.g. "dlib-resnet"); vectors of different models never mix.
   */
  'model': (string);
  'values': (number)[];
  /**
   * The same values as little-endian 32-bit floats, in place of `values` (a receiver takes `packed`
   * when it is not empty): one buffer per vector to decode, where `values` makes an array of
   * numbers that a batch of thousands of templates turns into tens of MB of garbage.
   */
  'packed': (Buffer);
}
