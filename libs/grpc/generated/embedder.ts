import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Box as _facerec_v1_Box, Box__Output as _facerec_v1_Box__Output } from './facerec/v1/Box';
import type { DescribeRequest as _facerec_v1_DescribeRequest, DescribeRequest__Output as _facerec_v1_DescribeRequest__Output } from './facerec/v1/DescribeRequest';
import type { DetectedFace as _facerec_v1_DetectedFace, DetectedFace__Output as _facerec_v1_DetectedFace__Output } from './facerec/v1/DetectedFace';
import type { EmbedReply as _facerec_v1_EmbedReply, EmbedReply__Output as _facerec_v1_EmbedReply__Output } from './facerec/v1/EmbedReply';
import type { EmbedRequest as _facerec_v1_EmbedRequest, EmbedRequest__Output as _facerec_v1_EmbedRequest__Output } from './facerec/v1/EmbedRequest';
import type { EmbedderClient as _facerec_v1_EmbedderClient, EmbedderDefinition as _facerec_v1_EmbedderDefinition } from './facerec/v1/Embedder';
import type { EmbedderInfo as _facerec_v1_EmbedderInfo, EmbedderInfo__Output as _facerec_v1_EmbedderInfo__Output } from './facerec/v1/EmbedderInfo';
import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from './facerec/v1/Embedding';
import type { FaceChip as _facerec_v1_FaceChip, FaceChip__Output as _facerec_v1_FaceChip__Output } from './facerec/v1/FaceChip';
import type { Frame as _facerec_v1_Frame, Frame__Output as _facerec_v1_Frame__Output } from './facerec/v1/Frame';
import type { Point as _facerec_v1_Point, Point__Output as _facerec_v1_Point__Output } from './facerec/v1/Point';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  facerec: {
    v1: {
      Box: MessageTypeDefinition<_facerec_v1_Box, _facerec_v1_Box__Output>
      DescribeRequest: MessageTypeDefinition<_facerec_v1_DescribeRequest, _facerec_v1_DescribeRequest__Output>
      DetectedFace: MessageTypeDefinition<_facerec_v1_DetectedFace, _facerec_v1_DetectedFace__Output>
      EmbedReply: MessageTypeDefinition<_facerec_v1_EmbedReply, _facerec_v1_EmbedReply__Output>
      EmbedRequest: MessageTypeDefinition<_facerec_v1_EmbedRequest, _facerec_v1_EmbedRequest__Output>
      Embedder: SubtypeConstructor<typeof grpc.Client, _facerec_v1_EmbedderClient> & { service: _facerec_v1_EmbedderDefinition }
      EmbedderInfo: MessageTypeDefinition<_facerec_v1_EmbedderInfo, _facerec_v1_EmbedderInfo__Output>
      Embedding: MessageTypeDefinition<_facerec_v1_Embedding, _facerec_v1_Embedding__Output>
      FaceChip: MessageTypeDefinition<_facerec_v1_FaceChip, _facerec_v1_FaceChip__Output>
      Frame: MessageTypeDefinition<_facerec_v1_Frame, _facerec_v1_Frame__Output>
      Point: MessageTypeDefinition<_facerec_v1_Point, _facerec_v1_Point__Output>
    }
  }
}

