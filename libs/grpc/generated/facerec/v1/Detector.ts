// Original file: proto/facerec/v1/detector.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DetectReply as _facerec_v1_DetectReply, DetectReply__Output as _facerec_v1_DetectReply__Output } from '../../facerec/v1/DetectReply';
import type { DetectRequest as _facerec_v1_DetectRequest, DetectRequest__Output as _facerec_v1_DetectRequest__Output } from '../../facerec/v1/DetectRequest';

export interface DetectorClient extends grpc.Client {
  /**
   * One reply per frame, in the order the frames were sent. A stream so that a video's frames flow
   * with back-pressure and a whole video never sits in memory.
   */
  Detect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_DetectRequest, _facerec_v1_DetectReply__Output>;
  Detect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_DetectRequest, _facerec_v1_DetectReply__Output>;
  /**
   * One reply per frame, in the order the frames were sent. A stream so that a video's frames flow
   * with back-pressure and a whole video never sits in memory.
   */
  detect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_DetectRequest, _facerec_v1_DetectReply__Output>;
  detect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_facerec_v1_DetectRequest, _facerec_v1_DetectReply__Output>;
  
}

export interface DetectorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One reply per frame, in the order the frames were sent. A stream so that a video's frames flow
   * with back-pressure and a whole video never sits in memory.
   */
  Detect: grpc.handleBidiStreamingCall<_facerec_v1_DetectRequest__Output, _facerec_v1_DetectReply>;
  
}

export interface DetectorDefinition extends grpc.ServiceDefinition {
  Detect: MethodDefinition<_facerec_v1_DetectRequest, _facerec_v1_DetectReply, _facerec_v1_DetectRequest__Output, _facerec_v1_DetectReply__Output>
}
