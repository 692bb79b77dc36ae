// Original file: proto/facerec/v1/matcher.proto


export interface ListIdentitiesRequest {
  'model'?: (string);
  'limit'?: (number);
  'offset'?: (number);
  /**
   * Only identities whose name contains this, ignoring case ('' for all).
   */
  'query'?: (string);
}

export interface ListIdentitiesRequest__Output {
  'model': (string);
  'limit': (number);
  'offset': (number);
  /**
   * Only identities whose name contains this, ignoring case ('' for all).
   */
  'query': (string);
}
