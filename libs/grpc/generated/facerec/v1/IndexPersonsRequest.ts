// Original file: proto/facerec/v1/matcher.proto

import type { UnknownPerson as _facerec_v1_UnknownPerson, UnknownPerson__Output as _facerec_v1_UnknownPerson__Output } from '../../facerec/v1/UnknownPerson';

export interface IndexPersonsRequest {
  'persons'?: (_facerec_v1_UnknownPerson)[];
}

export interface IndexPersonsRequest__Output {
  'persons': (_facerec_v1_UnknownPerson__Output)[];
}
