// Original file: proto/facerec/v1/matcher.proto


export interface ResolvedIndexed {
  'id'?: (string);
  /**
   * '' while unnamed (or unknown).
   */
  'name'?: (string);
}

export interface ResolvedIndexed__Output {
  'id': (string);
  /**
   * '' while unnamed (or unknown).
   */
  'name': (string);
}
