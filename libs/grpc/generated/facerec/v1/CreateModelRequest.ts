// Original file: proto/facerec/v1/matcher.proto


export interface CreateModelRequest {
  'name'?: (string);
  'description'?: (string);
}

export interface CreateModelRequest__Output {
  'name': (string);
  'description': (string);
}
