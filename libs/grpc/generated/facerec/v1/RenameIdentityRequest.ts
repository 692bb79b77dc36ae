// Original file: proto/facerec/v1/matcher.proto


export interface RenameIdentityRequest {
  'model'?: (string);
  'identityId'?: (string);
  'name'?: (string);
}

export interface RenameIdentityRequest__Output {
  'model': (string);
  'identityId': (string);
  'name': (string);
}
