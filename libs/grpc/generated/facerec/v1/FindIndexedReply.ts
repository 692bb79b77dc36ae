// Original file: proto/facerec/v1/matcher.proto

import type { IndexedMatch as _facerec_v1_IndexedMatch, IndexedMatch__Output as _facerec_v1_IndexedMatch__Output } from '../../facerec/v1/IndexedMatch';

export interface FindIndexedReply {
  'matches'?: (_facerec_v1_IndexedMatch)[];
}

export interface FindIndexedReply__Output {
  'matches': (_facerec_v1_IndexedMatch__Output)[];
}
