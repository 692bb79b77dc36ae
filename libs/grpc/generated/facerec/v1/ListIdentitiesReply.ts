// Original file: proto/facerec/v1/matcher.proto

import type { Identity as _facerec_v1_Identity, Identity__Output as _facerec_v1_Identity__Output } from '../../facerec/v1/Identity';

export interface ListIdentitiesReply {
  'total'?: (number);
  'identities'?: (_facerec_v1_Identity)[];
}

export interface ListIdentitiesReply__Output {
  'total': (number);
  'identities': (_facerec_v1_Identity__Output)[];
}
