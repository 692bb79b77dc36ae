// Original file: proto/facerec/v1/embedder.proto

import type { FaceChip as _facerec_v1_FaceChip, FaceChip__Output as _facerec_v1_FaceChip__Output } from '../../facerec/v1/FaceChip';

export interface EmbedRequest {
  'faceId'?: (string);
  'chip'?: (_facerec_v1_FaceChip | null);
}

export interface EmbedRequest__Output {
  'faceId': (string);
  'chip': (_facerec_v1_FaceChip__Output | null);
}
