// Original file: proto/facerec/v1/matcher.proto

import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from '../../facerec/v1/Embedding';
import type { Appearance as _facerec_v1_Appearance, Appearance__Output as _facerec_v1_Appearance__Output } from '../../facerec/v1/Appearance';

/**
 * One unknown person of a job.
 */
export interface UnknownPerson {
  /**
   * Several embeddings of the person (a few, diverse).
   */
  'embeddings'?: (_facerec_v1_Embedding)[];
  /**
   * A face thumbnail, JPEG (may be empty).
   */
  'thumbnail'?: (Buffer | Uint8Array | string);
  'appearance'?: (_facerec_v1_Appearance | null);
}

/**
 * One unknown person of a job.
 */
export interface UnknownPerson__Output {
  /**
   * Several embeddings of the person (a few, diverse).
   */
  'embeddings': (_facerec_v1_Embedding__Output)[];
  /**
   * A face thumbnail, JPEG (may be empty).
   */
  'thumbnail': (Buffer);
  'appearance': (_facerec_v1_Appearance__Output | null);
}
