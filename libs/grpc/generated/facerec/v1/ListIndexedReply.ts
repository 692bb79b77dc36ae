// Original file: proto/facerec/v1/matcher.proto

import type { IndexedIdentity as _facerec_v1_IndexedIdentity, IndexedIdentity__Output as _facerec_v1_IndexedIdentity__Output } from '../../facerec/v1/IndexedIdentity';

export interface ListIndexedReply {
  'total'?: (number);
  'identities'?: (_facerec_v1_IndexedIdentity)[];
}

export interface ListIndexedReply__Output {
  'total': (number);
  'identities': (_facerec_v1_IndexedIdentity__Output)[];
}
