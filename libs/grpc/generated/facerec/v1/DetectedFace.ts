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
   * How usable the landmarks make the face for recognition (0.5..1): low for profiles and blur.
   */
  'landmarkScore'?: (number | string);
  /**
   * Five points in ArcFace order (libs/engine/alignment.ts): eye centres, nose tip, mouth corners.
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
  /**
   * dlib's five points (eye corners and nose) when the landmark model found them, so that a chip
   * cut from the frame elsewhere (the decoder, for video) aligns exactly as the detector's would.
   */
  'dlibPoints'?: (_facerec_v1_Point)[];
}

export interface DetectedFace__Output {
  'box': (_facerec_v1_Box__Output | null);
  /**
   * Detector probability (0..1).
   */
  'score': (number);
  /**
   * How usable the landmarks make the face for recognition (0.5..1): low for profiles and blur.
   */
  'landmarkScore': (number);
  /**
   * Five points in ArcFace order (libs/engine/alignment.ts): eye centres, nose tip, mouth corners.
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
  /**
   * dlib's five points (eye corners and nose) when the landmark model found them, so that a chip
   * cut from the frame elsewhere (the decoder, for video) aligns exactly as the detector's would.
   */
  'dlibPoints': (_facerec_v1_Point__Output)[];
}
