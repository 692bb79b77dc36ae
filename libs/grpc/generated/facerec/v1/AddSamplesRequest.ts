// Original file: proto/facerec/v1/matcher.proto

import type { Sample as _facerec_v1_Sample, Sample__Output as _facerec_v1_Sample__Output } from '../../facerec/v1/Sample';

export interface AddSamplesRequest {
  'model'?: (string);
  'name'?: (string);
  'samples'?: (_facerec_v1_Sample)[];
}

export interface AddSamplesRequest__Output {
  'model': (string);
  'name': (string);
  'samples': (_facerec_v1_Sample__Output)[];
}
