// Original file: proto/facerec/v1/matcher.proto

import type { Candidate as _facerec_v1_Candidate, Candidate__Output as _facerec_v1_Candidate__Output } from '../../facerec/v1/Candidate';

export interface FaceMatches {
  'candidates'?: (_facerec_v1_Candidate)[];
}

export interface FaceMatches__Output {
  'candidates': (_facerec_v1_Candidate__Output)[];
}
