// Original file: proto/facerec/v1/matcher.proto


export interface IndexedRef {
  'id'?: (string);
}

export interface IndexedRef__Output {
  'id': (string);
}
