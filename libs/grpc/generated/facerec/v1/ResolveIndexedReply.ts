// Original file: proto/facerec/v1/matcher.proto

import type { ResolvedIndexed as _facerec_v1_ResolvedIndexed, ResolvedIndexed__Output as _facerec_v1_ResolvedIndexed__Output } from '../../facerec/v1/ResolvedIndexed';

export interface ResolveIndexedReply {
  'resolved'?: (_facerec_v1_ResolvedIndexed)[];
}

export interface ResolveIndexedReply__Output {
  'resolved': (_facerec_v1_ResolvedIndexed__Output)[];
}
