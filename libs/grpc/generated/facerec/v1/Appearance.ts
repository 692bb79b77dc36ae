// Original file: proto/facerec/v1/matcher.proto


/**
 * Where an indexed person was seen: the result items of one job's source.
 */
export interface Appearance {
  'jobId'?: (string);
  'source'?: (string);
  'resultIds'?: (string)[];
  'frameStart'?: (number);
  'frameEnd'?: (number);
  /**
   * When it was recorded (replies only).
   */
  'created'?: (string);
}

/**
 * Where an indexed person was seen: the result items of one job's source.
 */
export interface Appearance__Output {
  'jobId': (string);
  'source': (string);
  'resultIds': (string)[];
  'frameStart': (number);
  'frameEnd': (number);
  /**
   * When it was recorded (replies only).
   */
  'created': (string);
}
