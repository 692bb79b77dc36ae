// Original file: proto/facerec/v1/common.proto

import type { Box as _facerec_v1_Box, Box__Output as _facerec_v1_Box__Output } from '../../facerec/v1/Box';
import type { Point as _facerec_v1_Point, Point__Output as _facerec_v1_Point__Output } from '../../facerec/v1/Point';
import type { FaceChip as _facerec_v1_FaceChip, FaceChip__Output as _facerec_v1_FaceChip__Output } from '../../facerec/v1/FaceChip';

export interface DetectedFace {
  'box'?: (_facerec_v1_Box | null);
  /**
   * Detector probability (0..1).
   */
  'score'?: (number | string);
  /**
   * Landmark model's face probability (0..1): low for profiles and poor crops.
   */
  'landmarkScore'?: (number | string);
  /**
   * dlib-ordered five points: left eye outer/inner, right eye outer/inner, nose.
   */
  'landmarks'?: (_facerec_v1_Point)[];
  /**
   * Present when the request asked for chips.
   */
  'chip'?: (_facerec_v1_FaceChip | null);
  /**
   * JPEG crop around the face; present when the request asked for thumbnails.
   */
  'thumbnail'?: (Buffer | Uint8Array | string);
}

export interface DetectedFace__Output {
  'box': (_facerec_v1_Box__Output | null);
  /**
   * Detector probability (0..1).
   */
  'score': (number);
  /**
   * Landmark model's face probability (0..1): low for profiles and poor crops.
   */
  'landmarkScore': (number);
  /**
   * dlib-ordered five points: left eye outer/inner, right eye outer/inner, nose.
   */
  'landmarks': (_facerec_v1_Point__Output)[];
  /**
   * Present when the request asked for chips.
   */
  'chip': (_facerec_v1_FaceChip__Output | null);
  /**
   * JPEG crop around the face; present when the request asked for thumbnails.
   */
  'thumbnail': (Buffer);
}
