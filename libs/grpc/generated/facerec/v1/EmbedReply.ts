// Original file: proto/facerec/v1/embedder.proto

import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from '../../facerec/v1/Embedding';

export interface EmbedReply {
  'faceId'?: (string);
  'embedding'?: (_facerec_v1_Embedding | null);
}

export interface EmbedReply__Output {
  'faceId': (string);
  'embedding': (_facerec_v1_Embedding__Output | null);
}
