// Original file: proto/facerec/v1/matcher.proto


export interface Model {
  'id'?: (string);
  'name'?: (string);
  'description'?: (string);
  'embeddingModel'?: (string);
  'created'?: (string);
  'identityCount'?: (number);
  'sampleCount'?: (number);
}

export interface Model__Output {
  'id': (string);
  'name': (string);
  'description': (string);
  'embeddingModel': (string);
  'created': (string);
  'identityCount': (number);
  'sampleCount': (number);
}
