// Original file: proto/facerec/v1/matcher.proto

import type { FaceMatches as _facerec_v1_FaceMatches, FaceMatches__Output as _facerec_v1_FaceMatches__Output } from '../../facerec/v1/FaceMatches';

export interface MatchReply {
  'matches'?: (_facerec_v1_FaceMatches)[];
}

export interface MatchReply__Output {
  'matches': (_facerec_v1_FaceMatches__Output)[];
}
