// Original file: proto/facerec/v1/detector.proto


export interface DetectOptions {
  /**
   * Size in px the frame is scaled to for detection (SPEC: face_detection_scale, 100..2000).
   */
  'scale'?: (number);
  /**
   * Return each face's aligned chip for the embedder.
   */
  'chips'?: (boolean);
  /**
   * Return each face's JPEG thumbnail of at most this many px per side (0: none).
   */
  'thumbnailSize'?: (number);
}

export interface DetectOptions__Output {
  /**
   * Size in px the frame is scaled to for detection (SPEC: face_detection_scale, 100..2000).
   */
  'scale': (number);
  /**
   * Return each face's aligned chip for the embedder.
   */
  'chips': (boolean);
  /**
   * Return each face's JPEG thumbnail of at most this many px per side (0: none).
   */
  'thumbnailSize': (number);
}
