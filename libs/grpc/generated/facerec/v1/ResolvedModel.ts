// Original file: proto/facerec/v1/matcher.proto


export interface ResolvedModel {
  'ref'?: (string);
  'id'?: (string);
  'name'?: (string);
  'identityCount'?: (number);
}

export interface ResolvedModel__Output {
  'ref': (string);
  'id': (string);
  'name': (string);
  'identityCount': (number);
}
