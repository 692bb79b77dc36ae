// Original file: proto/facerec/v1/matcher.proto


export interface Deleted {
  'deleted'?: (boolean);
}

export interface Deleted__Output {
  'deleted': (boolean);
}
