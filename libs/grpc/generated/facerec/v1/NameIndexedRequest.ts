// Original file: proto/facerec/v1/matcher.proto


export interface NameIndexedRequest {
  'id'?: (string);
  'name'?: (string);
  /**
   * Model id or name.
   */
  'model'?: (string);
}

export interface NameIndexedRequest__Output {
  'id': (string);
  'name': (string);
  /**
   * Model id or name.
   */
  'model': (string);
}
