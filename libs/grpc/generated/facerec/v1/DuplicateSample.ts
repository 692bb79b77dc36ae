// Original file: proto/facerec/v1/matcher.proto


export interface DuplicateSample {
  /**
   * The origin of the sample not added, and why (which sample it repeats, at what distance).
   */
  'origin'?: (string);
  'message'?: (string);
}

export interface DuplicateSample__Output {
  /**
   * The origin of the sample not added, and why (which sample it repeats, at what distance).
   */
  'origin': (string);
  'message': (string);
}
