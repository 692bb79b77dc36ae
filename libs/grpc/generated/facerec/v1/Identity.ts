// Original file: proto/facerec/v1/matcher.proto

import type { DuplicateSample as _facerec_v1_DuplicateSample, DuplicateSample__Output as _facerec_v1_DuplicateSample__Output } from '../../facerec/v1/DuplicateSample';

export interface Identity {
  'id'?: (string);
  'modelId'?: (string);
  'name'?: (string);
  'created'?: (string);
  'sampleCount'?: (number);
  /**
   * AddSamples only: the samples it did not add because the identity already holds the same face.
   */
  'duplicates'?: (_facerec_v1_DuplicateSample)[];
}

export interface Identity__Output {
  'id': (string);
  'modelId': (string);
  'name': (string);
  'created': (string);
  'sampleCount': (number);
  /**
   * AddSamples only: the samples it did not add because the identity already holds the same face.
   */
  'duplicates': (_facerec_v1_DuplicateSample__Output)[];
}
