// Original file: proto/facerec/v1/matcher.proto


export interface ListIdentitiesRequest {
  'model'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  /**
   * Only identities whose name or an alias contains this, ignoring case ('' for all).
   */
  'query'?: (string);
  /**
   * Only identities of this category / country ('' for all).
   */
  'category'?: (string);
  'country'?: (string);
}

export interface ListIdentitiesRequest__Output {
  'model': (string);
  'limit': (number);
  'offset': (number);
  /**
   * Only identities whose name or an alias contains this, ignoring case ('' for all).
   */
  'query': (string);
  /**
   * Only identities of this category / country ('' for all).
   */
  'category': (string);
  'country': (string);
}
