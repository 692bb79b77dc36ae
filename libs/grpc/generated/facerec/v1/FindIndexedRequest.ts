// Original file: proto/facerec/v1/matcher.proto

import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from '../../facerec/v1/Embedding';

export interface FindIndexedRequest {
  'embeddings'?: (_facerec_v1_Embedding)[];
  'maxDistance'?: (number | string);
}

export interface FindIndexedRequest__Output {
  'embeddings': (_facerec_v1_Embedding__Output)[];
  'maxDistance': (number);
}
