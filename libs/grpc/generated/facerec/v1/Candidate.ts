// Original file: proto/facerec/v1/matcher.proto


export interface Candidate {
  'identityId'?: (string);
  'person'?: (string);
  'modelId'?: (string);
  /**
   * On the contract's 0..2 scale (calibrated per embedding model).
   */
  'distance'?: (number | string);
}

export interface Candidate__Output {
  'identityId': (string);
  'person': (string);
  'modelId': (string);
  /**
   * On the contract's 0..2 scale (calibrated per embedding model).
   */
  'distance': (number);
}
