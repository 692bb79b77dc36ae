// Original file: proto/facerec/v1/matcher.proto


export interface IndexPersonsReply {
  /**
   * The indexed identity of each person, in order.
   */
  'ids'?: (string)[];
  /**
   * Per person: true when its identity was made by this call.
   */
  'created'?: (boolean)[];
}

export interface IndexPersonsReply__Output {
  /**
   * The indexed identity of each person, in order.
   */
  'ids': (string)[];
  /**
   * Per person: true when its identity was made by this call.
   */
  'created': (boolean)[];
}
