// Original file: proto/facerec/v1/matcher.proto


export interface IdentityRef {
  'model'?: (string);
  'identityId'?: (string);
}

export interface IdentityRef__Output {
  'model': (string);
  'identityId': (string);
}
