// Original file: proto/facerec/v1/matcher.proto


export interface GallerySource {
  'id'?: (string);
  /**
   * What it is and where it comes from, in words.
   */
  'title'?: (string);
  'licence'?: (string);
  /**
   * People and photos it brought to the build.
   */
  'people'?: (number);
  'photos'?: (number);
}

export interface GallerySource__Output {
  'id': (string);
  /**
   * What it is and where it comes from, in words.
   */
  'title': (string);
  'licence': (string);
  /**
   * People and photos it brought to the build.
   */
  'people': (number);
  'photos': (number);
}
