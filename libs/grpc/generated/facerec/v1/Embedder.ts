// Original file: proto/facerec/v1/embedder.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DescribeRequest as _facerec_v1_DescribeRequest, DescribeRequest__Output as _facerec_v1_DescribeRequest__Output } from '../../facerec/v1/DescribeRequest';
import type { EmbedReply as _facerec_v1_EmbedReply, EmbedReply__Output as _facerec_v1_EmbedReply__Output } from '../../facerec/v1/EmbedReply';
import type { EmbedRequest as _facerec_v1_EmbedRequest, EmbedRequest__Output as _facerec_v1_EmbedRequest__Output } from '../../facerec/v1/EmbedRequest';
import type { EmbedderInfo as _facerec_v1_EmbedderInfo, EmbedderInfo__Output as _facerec_v1_EmbedderInfo__Output } from '../../facerec/v1/EmbedderInfo';

export interface EmbedderClient extends grpc.Client {
  Describe(argument: _facerec_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  Describe(argument: _facerec_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  Describe(argument: _facerec_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  Describe(argument: _facerec_v1_DescribeRequest, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  describe(argument: _facerec_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  describe(argument: _facerec_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  describe(argument: _facerec_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  describe(argument: _facerec_v1_DescribeRequest, callback: grpc.requestCallback<_facerec_v1_EmbedderInfo__Output>): grpc.ClientUnaryCall;
  
  /**
   * One reply per chip, carrying the caller's face_id; replies may come in any order.
   */
  Embed(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_EmbedRequest, _facerec_v1_EmbedReply__Output>;
  Embed(options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_EmbedRequest, _facerec_v1_EmbedReply__Output>;
  /**
   * One reply per chip, carrying the caller's face_id; replies may come in any order.
   */
  embed(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_EmbedRequest, _facerec_v1_EmbedReply__Output>;
  embed(options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_EmbedRequest, _facerec_v1_EmbedReply__Output>;
  
}

export interface EmbedderHandlers extends grpc.UntypedServiceImplementation {
  Describe: grpc.handleUnaryCall<_facerec_v1_DescribeRequest__Output, _facerec_v1_EmbedderInfo>;
  
  /**
   * One reply per chip, carrying the caller's face_id; replies may come in any order.
   */
  Embed: grpc.handleBidiStreamingCall<_facerec_v1_EmbedRequest__Output, _facerec_v1_EmbedReply>;
  
}

export interface EmbedderDefinition extends grpc.ServiceDefinition {
  Describe: MethodDefinition<_facerec_v1_DescribeRequest, _facerec_v1_EmbedderInfo, _facerec_v1_DescribeRequest__Output, _facerec_v1_EmbedderInfo__Output>
  Embed: MethodDefinition<_facerec_v1_EmbedRequest, _facerec_v1_EmbedReply, _facerec_v1_EmbedRequest__Output, _facerec_v1_EmbedReply__Output>
}
