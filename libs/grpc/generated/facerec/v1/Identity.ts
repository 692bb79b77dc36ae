// Original file: proto/facerec/v1/matcher.proto

import type { DuplicateSample as _facerec_v1_DuplicateSample, DuplicateSample__Output as _facerec_v1_DuplicateSample__Output } from '../../facerec/v1/DuplicateSample';

export interface Identity {
  'id'?: (string);
  'modelId'?: (string);
  'name'?: (string);
  'created'?: (string);
  'sampleCount'?: (number);
  /**
   * AddSamples only: the samples it did not add because the identity already holds the same face.
   */
  'duplicates'?: (_facerec_v1_DuplicateSample)[];
  /**
   * What a pre-built gallery knows of the person (empty otherwise): other names (searchable),
   * category (politics, sports, business, entertainment), country (ISO 3166-1 alpha-2), sources.
   */
  'aliases'?: (string)[];
  'category'?: (string);
  'country'?: (string);
  'sources'?: (string)[];
}

export interface Identity__Output {
  'id': (string);
  'modelId': (string);
  'name': (string);
  'created': (string);
  'sampleCount': (number);
  /**
   * AddSamples only: the samples it did not add because the identity already holds the same face.
   */
  'duplicates': (_facerec_v1_DuplicateSample__Output)[];
  /**
   * What a pre-built gallery knows of the person (empty otherwise): other names (searchable),
   * category (politics, sports, business, entertainment), country (ISO 3166-1 alpha-2), sources.
   */
  'aliases': (string)[];
  'category': (string);
  'country': (string);
  'sources': (string)[];
}
