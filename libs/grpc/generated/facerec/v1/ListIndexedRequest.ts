// Original file: proto/facerec/v1/matcher.proto

import type { NamedFilter as _facerec_v1_NamedFilter, NamedFilter__Output as _facerec_v1_NamedFilter__Output } from '../../facerec/v1/NamedFilter';

export interface ListIndexedRequest {
  'limit'?: (number);
  'offset'?: (number);
  'named'?: (_facerec_v1_NamedFilter);
}

export interface ListIndexedRequest__Output {
  'limit': (number);
  'offset': (number);
  'named': (_facerec_v1_NamedFilter__Output);
}
