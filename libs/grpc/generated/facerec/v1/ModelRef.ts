// Original file: proto/facerec/v1/matcher.proto


/**
 * A model by id or name.
 */
export interface ModelRef {
  'model'?: (string);
}

/**
 * A model by id or name.
 */
export interface ModelRef__Output {
  'model': (string);
}
