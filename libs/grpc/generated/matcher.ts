import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddSamplesRequest as _facerec_v1_AddSamplesRequest, AddSamplesRequest__Output as _facerec_v1_AddSamplesRequest__Output } from './facerec/v1/AddSamplesRequest';
import type { Box as _facerec_v1_Box, Box__Output as _facerec_v1_Box__Output } from './facerec/v1/Box';
import type { Candidate as _facerec_v1_Candidate, Candidate__Output as _facerec_v1_Candidate__Output } from './facerec/v1/Candidate';
import type { CreateModelRequest as _facerec_v1_CreateModelRequest, CreateModelRequest__Output as _facerec_v1_CreateModelRequest__Output } from './facerec/v1/CreateModelRequest';
import type { Deleted as _facerec_v1_Deleted, Deleted__Output as _facerec_v1_Deleted__Output } from './facerec/v1/Deleted';
import type { DetectedFace as _facerec_v1_DetectedFace, DetectedFace__Output as _facerec_v1_DetectedFace__Output } from './facerec/v1/DetectedFace';
import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from './facerec/v1/Embedding';
import type { FaceChip as _facerec_v1_FaceChip, FaceChip__Output as _facerec_v1_FaceChip__Output } from './facerec/v1/FaceChip';
import type { FaceMatches as _facerec_v1_FaceMatches, FaceMatches__Output as _facerec_v1_FaceMatches__Output } from './facerec/v1/FaceMatches';
import type { FileChunk as _facerec_v1_FileChunk, FileChunk__Output as _facerec_v1_FileChunk__Output } from './facerec/v1/FileChunk';
import type { Frame as _facerec_v1_Frame, Frame__Output as _facerec_v1_Frame__Output } from './facerec/v1/Frame';
import type { Identity as _facerec_v1_Identity, Identity__Output as _facerec_v1_Identity__Output } from './facerec/v1/Identity';
import type { IdentityRef as _facerec_v1_IdentityRef, IdentityRef__Output as _facerec_v1_IdentityRef__Output } from './facerec/v1/IdentityRef';
import type { ImportChunk as _facerec_v1_ImportChunk, ImportChunk__Output as _facerec_v1_ImportChunk__Output } from './facerec/v1/ImportChunk';
import type { ListIdentitiesReply as _facerec_v1_ListIdentitiesReply, ListIdentitiesReply__Output as _facerec_v1_ListIdentitiesReply__Output } from './facerec/v1/ListIdentitiesReply';
import type { ListIdentitiesRequest as _facerec_v1_ListIdentitiesRequest, ListIdentitiesRequest__Output as _facerec_v1_ListIdentitiesRequest__Output } from './facerec/v1/ListIdentitiesRequest';
import type { ListModelsReply as _facerec_v1_ListModelsReply, ListModelsReply__Output as _facerec_v1_ListModelsReply__Output } from './facerec/v1/ListModelsReply';
import type { ListModelsRequest as _facerec_v1_ListModelsRequest, ListModelsRequest__Output as _facerec_v1_ListModelsRequest__Output } from './facerec/v1/ListModelsRequest';
import type { MatchReply as _facerec_v1_MatchReply, MatchReply__Output as _facerec_v1_MatchReply__Output } from './facerec/v1/MatchReply';
import type { MatchRequest as _facerec_v1_MatchRequest, MatchRequest__Output as _facerec_v1_MatchRequest__Output } from './facerec/v1/MatchRequest';
import type { MatcherClient as _facerec_v1_MatcherClient, MatcherDefinition as _facerec_v1_MatcherDefinition } from './facerec/v1/Matcher';
import type { Model as _facerec_v1_Model, Model__Output as _facerec_v1_Model__Output } from './facerec/v1/Model';
import type { ModelRef as _facerec_v1_ModelRef, ModelRef__Output as _facerec_v1_ModelRef__Output } from './facerec/v1/ModelRef';
import type { Point as _facerec_v1_Point, Point__Output as _facerec_v1_Point__Output } from './facerec/v1/Point';
import type { RenameIdentityRequest as _facerec_v1_RenameIdentityRequest, RenameIdentityRequest__Output as _facerec_v1_RenameIdentityRequest__Output } from './facerec/v1/RenameIdentityRequest';
import type { ResolveModelsReply as _facerec_v1_ResolveModelsReply, ResolveModelsReply__Output as _facerec_v1_ResolveModelsReply__Output } from './facerec/v1/ResolveModelsReply';
import type { ResolveModelsRequest as _facerec_v1_ResolveModelsRequest, ResolveModelsRequest__Output as _facerec_v1_ResolveModelsRequest__Output } from './facerec/v1/ResolveModelsRequest';
import type { ResolvedModel as _facerec_v1_ResolvedModel, ResolvedModel__Output as _facerec_v1_ResolvedModel__Output } from './facerec/v1/ResolvedModel';
import type { Sample as _facerec_v1_Sample, Sample__Output as _facerec_v1_Sample__Output } from './facerec/v1/Sample';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  facerec: {
    v1: {
      AddSamplesRequest: MessageTypeDefinition<_facerec_v1_AddSamplesRequest, _facerec_v1_AddSamplesRequest__Output>
      Box: MessageTypeDefinition<_facerec_v1_Box, _facerec_v1_Box__Output>
      Candidate: MessageTypeDefinition<_facerec_v1_Candidate, _facerec_v1_Candidate__Output>
      CreateModelRequest: MessageTypeDefinition<_facerec_v1_CreateModelRequest, _facerec_v1_CreateModelRequest__Output>
      Deleted: MessageTypeDefinition<_facerec_v1_Deleted, _facerec_v1_Deleted__Output>
      DetectedFace: MessageTypeDefinition<_facerec_v1_DetectedFace, _facerec_v1_DetectedFace__Output>
      Embedding: MessageTypeDefinition<_facerec_v1_Embedding, _facerec_v1_Embedding__Output>
      FaceChip: MessageTypeDefinition<_facerec_v1_FaceChip, _facerec_v1_FaceChip__Output>
      FaceMatches: MessageTypeDefinition<_facerec_v1_FaceMatches, _facerec_v1_FaceMatches__Output>
      FileChunk: MessageTypeDefinition<_facerec_v1_FileChunk, _facerec_v1_FileChunk__Output>
      Frame: MessageTypeDefinition<_facerec_v1_Frame, _facerec_v1_Frame__Output>
      Identity: MessageTypeDefinition<_facerec_v1_Identity, _facerec_v1_Identity__Output>
      IdentityRef: MessageTypeDefinition<_facerec_v1_IdentityRef, _facerec_v1_IdentityRef__Output>
      ImportChunk: MessageTypeDefinition<_facerec_v1_ImportChunk, _facerec_v1_ImportChunk__Output>
      ListIdentitiesReply: MessageTypeDefinition<_facerec_v1_ListIdentitiesReply, _facerec_v1_ListIdentitiesReply__Output>
      ListIdentitiesRequest: MessageTypeDefinition<_facerec_v1_ListIdentitiesRequest, _facerec_v1_ListIdentitiesRequest__Output>
      ListModelsReply: MessageTypeDefinition<_facerec_v1_ListModelsReply, _facerec_v1_ListModelsReply__Output>
      ListModelsRequest: MessageTypeDefinition<_facerec_v1_ListModelsRequest, _facerec_v1_ListModelsRequest__Output>
      MatchReply: MessageTypeDefinition<_facerec_v1_MatchReply, _facerec_v1_MatchReply__Output>
      MatchRequest: MessageTypeDefinition<_facerec_v1_MatchRequest, _facerec_v1_MatchRequest__Output>
      Matcher: SubtypeConstructor<typeof grpc.Client, _facerec_v1_MatcherClient> & { service: _facerec_v1_MatcherDefinition }
      Model: MessageTypeDefinition<_facerec_v1_Model, _facerec_v1_Model__Output>
      ModelRef: MessageTypeDefinition<_facerec_v1_ModelRef, _facerec_v1_ModelRef__Output>
      Point: MessageTypeDefinition<_facerec_v1_Point, _facerec_v1_Point__Output>
      RenameIdentityRequest: MessageTypeDefinition<_facerec_v1_RenameIdentityRequest, _facerec_v1_RenameIdentityRequest__Output>
      ResolveModelsReply: MessageTypeDefinition<_facerec_v1_ResolveModelsReply, _facerec_v1_ResolveModelsReply__Output>
      ResolveModelsRequest: MessageTypeDefinition<_facerec_v1_ResolveModelsRequest, _facerec_v1_ResolveModelsRequest__Output>
      ResolvedModel: MessageTypeDefinition<_facerec_v1_ResolvedModel, _facerec_v1_ResolvedModel__Output>
      Sample: MessageTypeDefinition<_facerec_v1_Sample, _facerec_v1_Sample__Output>
    }
  }
}

