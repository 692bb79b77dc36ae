// Original file: proto/facerec/v1/matcher.proto

import type { ResolvedModel as _facerec_v1_ResolvedModel, ResolvedModel__Output as _facerec_v1_ResolvedModel__Output } from '../../facerec/v1/ResolvedModel';

export interface ResolveModelsReply {
  'resolved'?: (_facerec_v1_ResolvedModel)[];
  'unknown'?: (string)[];
}

export interface ResolveModelsReply__Output {
  'resolved': (_facerec_v1_ResolvedModel__Output)[];
  'unknown': (string)[];
}
