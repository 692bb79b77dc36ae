// Original file: proto/facerec/v1/detector.proto

import type { Frame as _facerec_v1_Frame, Frame__Output as _facerec_v1_Frame__Output } from '../../facerec/v1/Frame';
import type { DetectOptions as _facerec_v1_DetectOptions, DetectOptions__Output as _facerec_v1_DetectOptions__Output } from '../../facerec/v1/DetectOptions';

export interface DetectRequest {
  'frame'?: (_facerec_v1_Frame | null);
  'options'?: (_facerec_v1_DetectOptions | null);
}

export interface DetectRequest__Output {
  'frame': (_facerec_v1_Frame__Output | null);
  'options': (_facerec_v1_DetectOptions__Output | null);
}
