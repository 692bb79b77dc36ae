import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddSamplesRequest as _facerec_v1_AddSamplesRequest, AddSamplesRequest__Output as _facerec_v1_AddSamplesRequest__Output } from './facerec/v1/AddSamplesRequest';
import type { Appearance as _facerec_v1_Appearance, Appearance__Output as _facerec_v1_Appearance__Output } from './facerec/v1/Appearance';
import type { Box as _facerec_v1_Box, Box__Output as _facerec_v1_Box__Output } from './facerec/v1/Box';
import type { Candidate as _facerec_v1_Candidate, Candidate__Output as _facerec_v1_Candidate__Output } from './facerec/v1/Candidate';
import type { CreateModelRequest as _facerec_v1_CreateModelRequest, CreateModelRequest__Output as _facerec_v1_CreateModelRequest__Output } from './facerec/v1/CreateModelRequest';
import type { Deleted as _facerec_v1_Deleted, Deleted__Output as _facerec_v1_Deleted__Output } from './facerec/v1/Deleted';
import type { DetectedFace as _facerec_v1_DetectedFace, DetectedFace__Output as _facerec_v1_DetectedFace__Output } from './facerec/v1/DetectedFace';
import type { DuplicateSample as _facerec_v1_DuplicateSample, DuplicateSample__Output as _facerec_v1_DuplicateSample__Output } from './facerec/v1/DuplicateSample';
import type { Embedding as _facerec_v1_Embedding, Embedding__Output as _facerec_v1_Embedding__Output } from './facerec/v1/Embedding';
import type { FaceChip as _facerec_v1_FaceChip, FaceChip__Output as _facerec_v1_FaceChip__Output } from './facerec/v1/FaceChip';
import type { FaceMatches as _facerec_v1_FaceMatches, FaceMatches__Output as _facerec_v1_FaceMatches__Output } from './facerec/v1/FaceMatches';
import type { FileChunk as _facerec_v1_FileChunk, FileChunk__Output as _facerec_v1_FileChunk__Output } from './facerec/v1/FileChunk';
import type { FindIndexedReply as _facerec_v1_FindIndexedReply, FindIndexedReply__Output as _facerec_v1_FindIndexedReply__Output } from './facerec/v1/FindIndexedReply';
import type { FindIndexedRequest as _facerec_v1_FindIndexedRequest, FindIndexedRequest__Output as _facerec_v1_FindIndexedRequest__Output } from './facerec/v1/FindIndexedRequest';
import type { Frame as _facerec_v1_Frame, Frame__Output as _facerec_v1_Frame__Output } from './facerec/v1/Frame';
import type { GallerySource as _facerec_v1_GallerySource, GallerySource__Output as _facerec_v1_GallerySource__Output } from './facerec/v1/GallerySource';
import type { Identity as _facerec_v1_Identity, Identity__Output as _facerec_v1_Identity__Output } from './facerec/v1/Identity';
import type { IdentityRef as _facerec_v1_IdentityRef, IdentityRef__Output as _facerec_v1_IdentityRef__Output } from './facerec/v1/IdentityRef';
import type { ImportChunk as _facerec_v1_ImportChunk, ImportChunk__Output as _facerec_v1_ImportChunk__Output } from './facerec/v1/ImportChunk';
import type { IndexPersonsReply as _facerec_v1_IndexPersonsReply, IndexPersonsReply__Output as _facerec_v1_IndexPersonsReply__Output } from './facerec/v1/IndexPersonsReply';
import type { IndexPersonsRequest as _facerec_v1_IndexPersonsRequest, IndexPersonsRequest__Output as _facerec_v1_IndexPersonsRequest__Output } from './facerec/v1/IndexPersonsRequest';
import type { IndexedIdentity as _facerec_v1_IndexedIdentity, IndexedIdentity__Output as _facerec_v1_IndexedIdentity__Output } from './facerec/v1/IndexedIdentity';
import type { IndexedMatch as _facerec_v1_IndexedMatch, IndexedMatch__Output as _facerec_v1_IndexedMatch__Output } from './facerec/v1/IndexedMatch';
import type { IndexedRef as _facerec_v1_IndexedRef, IndexedRef__Output as _facerec_v1_IndexedRef__Output } from './facerec/v1/IndexedRef';
import type { ListIdentitiesReply as _facerec_v1_ListIdentitiesReply, ListIdentitiesReply__Output as _facerec_v1_ListIdentitiesReply__Output } from './facerec/v1/ListIdentitiesReply';
import type { ListIdentitiesRequest as _facerec_v1_ListIdentitiesRequest, ListIdentitiesRequest__Output as _facerec_v1_ListIdentitiesRequest__Output } from './facerec/v1/ListIdentitiesRequest';
import type { ListIndexedReply as _facerec_v1_ListIndexedReply, ListIndexedReply__Output as _facerec_v1_ListIndexedReply__Output } from './facerec/v1/ListIndexedReply';
import type { ListIndexedRequest as _facerec_v1_ListIndexedRequest, ListIndexedRequest__Output as _facerec_v1_ListIndexedRequest__Output } from './facerec/v1/ListIndexedRequest';
import type { ListModelsReply as _facerec_v1_ListModelsReply, ListModelsReply__Output as _facerec_v1_ListModelsReply__Output } from './facerec/v1/ListModelsReply';
import type { ListModelsRequest as _facerec_v1_ListModelsRequest, ListModelsRequest__Output as _facerec_v1_ListModelsRequest__Output } from './facerec/v1/ListModelsRequest';
import type { MatchReply as _facerec_v1_MatchReply, MatchReply__Output as _facerec_v1_MatchReply__Output } from './facerec/v1/MatchReply';
import type { MatchRequest as _facerec_v1_MatchRequest, MatchRequest__Output as _facerec_v1_MatchRequest__Output } from './facerec/v1/MatchRequest';
import type { MatcherClient as _facerec_v1_MatcherClient, MatcherDefinition as _facerec_v1_MatcherDefinition } from './facerec/v1/Matcher';
import type { Model as _facerec_v1_Model, Model__Output as _facerec_v1_Model__Output } from './facerec/v1/Model';
import type { ModelRef as _facerec_v1_ModelRef, ModelRef__Output as _facerec_v1_ModelRef__Output } from './facerec/v1/ModelRef';
import type { NameIndexedRequest as _facerec_v1_NameIndexedRequest, NameIndexedRequest__Output as _facerec_v1_NameIndexedRequest__Output } from './facerec/v1/NameIndexedRequest';
import type { Point as _facerec_v1_Point, Point__Output as _facerec_v1_Point__Output } from './facerec/v1/Point';
import type { ReembedReply as _facerec_v1_ReembedReply, ReembedReply__Output as _facerec_v1_ReembedReply__Output } from './facerec/v1/ReembedReply';
import type { RenameIdentityRequest as _facerec_v1_RenameIdentityRequest, RenameIdentityRequest__Output as _facerec_v1_RenameIdentityRequest__Output } from './facerec/v1/RenameIdentityRequest';
import type { ResolveIndexedReply as _facerec_v1_ResolveIndexedReply, ResolveIndexedReply__Output as _facerec_v1_ResolveIndexedReply__Output } from './facerec/v1/ResolveIndexedReply';
import type { ResolveIndexedRequest as _facerec_v1_ResolveIndexedRequest, ResolveIndexedRequest__Output as _facerec_v1_ResolveIndexedRequest__Output } from './facerec/v1/ResolveIndexedRequest';
import type { ResolveModelsReply as _facerec_v1_ResolveModelsReply, ResolveModelsReply__Output as _facerec_v1_ResolveModelsReply__Output } from './facerec/v1/ResolveModelsReply';
import type { ResolveModelsRequest as _facerec_v1_ResolveModelsRequest, ResolveModelsRequest__Output as _facerec_v1_ResolveModelsRequest__Output } from './facerec/v1/ResolveModelsRequest';
import type { ResolvedIndexed as _facerec_v1_ResolvedIndexed, ResolvedIndexed__Output as _facerec_v1_ResolvedIndexed__Output } from './facerec/v1/ResolvedIndexed';
import type { ResolvedModel as _facerec_v1_ResolvedModel, ResolvedModel__Output as _facerec_v1_ResolvedModel__Output } from './facerec/v1/ResolvedModel';
import type { Sample as _facerec_v1_Sample, Sample__Output as _facerec_v1_Sample__Output } from './facerec/v1/Sample';
import type { UnknownPerson as _facerec_v1_UnknownPerson, UnknownPerson__Output as _facerec_v1_UnknownPerson__Output } from './facerec/v1/UnknownPerson';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  facerec: {
    v1: {
      AddSamplesRequest: MessageTypeDefinition<_facerec_v1_AddSamplesRequest, _facerec_v1_AddSamplesRequest__Output>
      Appearance: MessageTypeDefinition<_facerec_v1_Appearance, _facerec_v1_Appearance__Output>
      Box: MessageTypeDefinition<_facerec_v1_Box, _facerec_v1_Box__Output>
      Candidate: MessageTypeDefinition<_facerec_v1_Candidate, _facerec_v1_Candidate__Output>
      CreateModelRequest: MessageTypeDefinition<_facerec_v1_CreateModelRequest, _facerec_v1_CreateModelRequest__Output>
      Deleted: MessageTypeDefinition<_facerec_v1_Deleted, _facerec_v1_Deleted__Output>
      DetectedFace: MessageTypeDefinition<_facerec_v1_DetectedFace, _facerec_v1_DetectedFace__Output>
      DuplicateSample: MessageTypeDefinition<_facerec_v1_DuplicateSample, _facerec_v1_DuplicateSample__Output>
      Embedding: MessageTypeDefinition<_facerec_v1_Embedding, _facerec_v1_Embedding__Output>
      FaceChip: MessageTypeDefinition<_facerec_v1_FaceChip, _facerec_v1_FaceChip__Output>
      FaceMatches: MessageTypeDefinition<_facerec_v1_FaceMatches, _facerec_v1_FaceMatches__Output>
      FileChunk: MessageTypeDefinition<_facerec_v1_FileChunk, _facerec_v1_FileChunk__Output>
      FindIndexedReply: MessageTypeDefinition<_facerec_v1_FindIndexedReply, _facerec_v1_FindIndexedReply__Output>
      FindIndexedRequest: MessageTypeDefinition<_facerec_v1_FindIndexedRequest, _facerec_v1_FindIndexedRequest__Output>
      Frame: MessageTypeDefinition<_facerec_v1_Frame, _facerec_v1_Frame__Output>
      GallerySource: MessageTypeDefinition<_facerec_v1_GallerySource, _facerec_v1_GallerySource__Output>
      Identity: MessageTypeDefinition<_facerec_v1_Identity, _facerec_v1_Identity__Output>
      IdentityRef: MessageTypeDefinition<_facerec_v1_IdentityRef, _facerec_v1_IdentityRef__Output>
      ImportChunk: MessageTypeDefinition<_facerec_v1_ImportChunk, _facerec_v1_ImportChunk__Output>
      IndexPersonsReply: MessageTypeDefinition<_facerec_v1_IndexPersonsReply, _facerec_v1_IndexPersonsReply__Output>
      IndexPersonsRequest: MessageTypeDefinition<_facerec_v1_IndexPersonsRequest, _facerec_v1_IndexPersonsRequest__Output>
      IndexedIdentity: MessageTypeDefinition<_facerec_v1_IndexedIdentity, _facerec_v1_IndexedIdentity__Output>
      IndexedMatch: MessageTypeDefinition<_facerec_v1_IndexedMatch, _facerec_v1_IndexedMatch__Output>
      IndexedRef: MessageTypeDefinition<_facerec_v1_IndexedRef, _facerec_v1_IndexedRef__Output>
      ListIdentitiesReply: MessageTypeDefinition<_facerec_v1_ListIdentitiesReply, _facerec_v1_ListIdentitiesReply__Output>
      ListIdentitiesRequest: MessageTypeDefinition<_facerec_v1_ListIdentitiesRequest, _facerec_v1_ListIdentitiesRequest__Output>
      ListIndexedReply: MessageTypeDefinition<_facerec_v1_ListIndexedReply, _facerec_v1_ListIndexedReply__Output>
      ListIndexedRequest: MessageTypeDefinition<_facerec_v1_ListIndexedRequest, _facerec_v1_ListIndexedRequest__Output>
      ListModelsReply: MessageTypeDefinition<_facerec_v1_ListModelsReply, _facerec_v1_ListModelsReply__Output>
      ListModelsRequest: MessageTypeDefinition<_facerec_v1_ListModelsRequest, _facerec_v1_ListModelsRequest__Output>
      MatchReply: MessageTypeDefinition<_facerec_v1_MatchReply, _facerec_v1_MatchReply__Output>
      MatchRequest: MessageTypeDefinition<_facerec_v1_MatchRequest, _facerec_v1_MatchRequest__Output>
      Matcher: SubtypeConstructor<typeof grpc.Client, _facerec_v1_MatcherClient> & { service: _facerec_v1_MatcherDefinition }
      Model: MessageTypeDefinition<_facerec_v1_Model, _facerec_v1_Model__Output>
      ModelRef: MessageTypeDefinition<_facerec_v1_ModelRef, _facerec_v1_ModelRef__Output>
      NameIndexedRequest: MessageTypeDefinition<_facerec_v1_NameIndexedRequest, _facerec_v1_NameIndexedRequest__Output>
      NamedFilter: EnumTypeDefinition
      Point: MessageTypeDefinition<_facerec_v1_Point, _facerec_v1_Point__Output>
      ReembedReply: MessageTypeDefinition<_facerec_v1_ReembedReply, _facerec_v1_ReembedReply__Output>
      RenameIdentityRequest: MessageTypeDefinition<_facerec_v1_RenameIdentityRequest, _facerec_v1_RenameIdentityRequest__Output>
      ResolveIndexedReply: MessageTypeDefinition<_facerec_v1_ResolveIndexedReply, _facerec_v1_ResolveIndexedReply__Output>
      ResolveIndexedRequest: MessageTypeDefinition<_facerec_v1_ResolveIndexedRequest, _facerec_v1_ResolveIndexedRequest__Output>
      ResolveModelsReply: MessageTypeDefinition<_facerec_v1_ResolveModelsReply, _facerec_v1_ResolveModelsReply__Output>
      ResolveModelsRequest: MessageTypeDefinition<_facerec_v1_ResolveModelsRequest, _facerec_v1_ResolveModelsRequest__Output>
      ResolvedIndexed: MessageTypeDefinition<_facerec_v1_ResolvedIndexed, _facerec_v1_ResolvedIndexed__Output>
      ResolvedModel: MessageTypeDefinition<_facerec_v1_ResolvedModel, _facerec_v1_ResolvedModel__Output>
      Sample: MessageTypeDefinition<_facerec_v1_Sample, _facerec_v1_Sample__Output>
      UnknownPerson: MessageTypeDefinition<_facerec_v1_UnknownPerson, _facerec_v1_UnknownPerson__Output>
    }
  }
}

