// Original file: proto/facerec/v1/matcher.proto


export interface IndexedMatch {
  'id'?: (string);
  'distance'?: (number | string);
}

export interface IndexedMatch__Output {
  'id': (string);
  'distance': (number);
}
