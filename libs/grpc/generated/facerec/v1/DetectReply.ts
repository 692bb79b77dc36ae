// Original file: proto/facerec/v1/detector.proto

import type { DetectedFace as _facerec_v1_DetectedFace, DetectedFace__Output as _facerec_v1_DetectedFace__Output } from '../../facerec/v1/DetectedFace';

export interface DetectReply {
  'frameIndex'?: (number);
  'faces'?: (_facerec_v1_DetectedFace)[];
}

export interface DetectReply__Output {
  'frameIndex': (number);
  'faces': (_facerec_v1_DetectedFace__Output)[];
}
