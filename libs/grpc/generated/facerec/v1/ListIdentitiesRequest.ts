// Original file: proto/facerec/v1/matcher.proto


export interface ListIdentitiesRequest {
  'model'?: (string);
  'limit'?: (number);
  'offset'?: (number);
}

export interface ListIdentitiesRequest__Output {
  'model': (string);
  'limit': (number);
  'offset': (number);
}
