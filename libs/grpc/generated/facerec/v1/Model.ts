// Original file: proto/facerec/v1/matcher.proto

import type { GallerySource as _facerec_v1_GallerySource, GallerySource__Output as _facerec_v1_GallerySource__Output } from '../../facerec/v1/GallerySource';

export interface Model {
  'id'?: (string);
  'name'?: (string);
  'description'?: (string);
  'embeddingModel'?: (string);
  'created'?: (string);
  /**
   * People (identities) and their vectors (samples).
   */
  'identityCount'?: (number);
  'sampleCount'?: (number);
  /**
   * SHA-256 of the embedder's network file the vectors were made with ('' when not recorded).
   */
  'embeddingSha256'?: (string);
  /**
   * The pre-built default gallery: every change through the API is refused (PERMISSION_DENIED).
   */
  'readOnly'?: (boolean);
  /**
   * A pre-built gallery: the sources its people come from, with origin and licence (empty otherwise).
   */
  'sources'?: (_facerec_v1_GallerySource)[];
}

export interface Model__Output {
  'id': (string);
  'name': (string);
  'description': (string);
  'embeddingModel': (string);
  'created': (string);
  /**
   * People (identities) and their vectors (samples).
   */
  'identityCount': (number);
  'sampleCount': (number);
  /**
   * SHA-256 of the embedder's network file the vectors were made with ('' when not recorded).
   */
  'embeddingSha256': (string);
  /**
   * The pre-built default gallery: every change through the API is refused (PERMISSION_DENIED).
   */
  'readOnly': (boolean);
  /**
   * A pre-built gallery: the sources its people come from, with origin and licence (empty otherwise).
   */
  'sources': (_facerec_v1_GallerySource__Output)[];
}
