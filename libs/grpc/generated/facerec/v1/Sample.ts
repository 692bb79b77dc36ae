// Original file: proto/facerec/v1/matcher.proto

import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from '../../facerec/v1/Embedding';

export interface Sample {
  'embedding'?: (_facerec_v1_Embedding | null);
  /**
   * Aligned face crop, JPEG.
   */
  'crop'?: (Buffer | Uint8Array | string);
  /**
   * Where the sample came from (source or file name).
   */
  'origin'?: (string);
}

export interface Sample__Output {
  'embedding': (_facerec_v1_Embedding__Output | null);
  /**
   * Aligned face crop, JPEG.
   */
  'crop': (Buffer);
  /**
   * Where the sample came from (source or file name).
   */
  'origin': (string);
}
