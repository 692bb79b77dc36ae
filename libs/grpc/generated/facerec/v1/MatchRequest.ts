// Original file: proto/facerec/v1/matcher.proto

import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from '../../facerec/v1/Embedding';

export interface MatchRequest {
  'embeddings'?: (_facerec_v1_Embedding)[];
  'modelIds'?: (string)[];
  'k'?: (number);
}

export interface MatchRequest__Output {
  'embeddings': (_facerec_v1_Embedding__Output)[];
  'modelIds': (string)[];
  'k': (number);
}
