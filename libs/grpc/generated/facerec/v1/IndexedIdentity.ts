// Original file: proto/facerec/v1/matcher.proto

import type { Appearance as _facerec_v1_Appearance, Appearance__Output as _facerec_v1_Appearance__Output } from '../../facerec/v1/Appearance';

export interface IndexedIdentity {
  'id'?: (string);
  'created'?: (string);
  /**
   * JPEG.
   */
  'thumbnail'?: (Buffer | Uint8Array | string);
  /**
   * Samples it holds; once named, the samples it moved into the model.
   */
  'sampleCount'?: (number);
  /**
   * Empty until named.
   */
  'name'?: (string);
  'modelId'?: (string);
  'modelName'?: (string);
  /**
   * The gallery identity its samples went to.
   */
  'identityId'?: (string);
  'namedAt'?: (string);
  'appearanceCount'?: (number);
  /**
   * Most recent first (at most a few hundred).
   */
  'appearances'?: (_facerec_v1_Appearance)[];
}

export interface IndexedIdentity__Output {
  'id': (string);
  'created': (string);
  /**
   * JPEG.
   */
  'thumbnail': (Buffer);
  /**
   * Samples it holds; once named, the samples it moved into the model.
   */
  'sampleCount': (number);
  /**
   * Empty until named.
   */
  'name': (string);
  'modelId': (string);
  'modelName': (string);
  /**
   * The gallery identity its samples went to.
   */
  'identityId': (string);
  'namedAt': (string);
  'appearanceCount': (number);
  /**
   * Most recent first (at most a few hundred).
   */
  'appearances': (_facerec_v1_Appearance__Output)[];
}
