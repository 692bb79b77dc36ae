// Original file: proto/facerec/v1/matcher.proto


export interface Identity {
  'id'?: (string);
  'modelId'?: (string);
  'name'?: (string);
  'created'?: (string);
  'sampleCount'?: (number);
}

export interface Identity__Output {
  'id': (string);
  'modelId': (string);
  'name': (string);
  'created': (string);
  'sampleCount': (number);
}
