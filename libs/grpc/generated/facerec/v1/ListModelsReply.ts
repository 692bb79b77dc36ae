// Original file: proto/facerec/v1/matcher.proto

import type { Model as _facerec_v1_Model, Model__Output as _facerec_v1_Model__Output } from '../../facerec/v1/Model';

export interface ListModelsReply {
  'models'?: (_facerec_v1_Model)[];
}

export interface ListModelsReply__Output {
  'models': (_facerec_v1_Model__Output)[];
}
