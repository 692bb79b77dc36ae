// Original file: proto/facerec/v1/matcher.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddSamplesRequest as _facerec_v1_AddSamplesRequest, AddSamplesRequest__Output as _facerec_v1_AddSamplesRequest__Output } from '../../facerec/v1/AddSamplesRequest';
import type { CreateModelRequest as _facerec_v1_CreateModelRequest, CreateModelRequest__Output as _facerec_v1_CreateModelRequest__Output } from '../../facerec/v1/CreateModelRequest';
import type { Deleted as _facerec_v1_Deleted, Deleted__Output as _facerec_v1_Deleted__Output } from '../../facerec/v1/Deleted';
import type { FileChunk as _facerec_v1_FileChunk, FileChunk__Output as _facerec_v1_FileChunk__Output } from '../../facerec/v1/FileChunk';
import type { FindIndexedReply as _facerec_v1_FindIndexedReply, FindIndexedReply__Output as _facerec_v1_FindIndexedReply__Output } from '../../facerec/v1/FindIndexedReply';
import type { FindIndexedRequest as _facerec_v1_FindIndexedRequest, FindIndexedRequest__Output as _facerec_v1_FindIndexedRequest__Output } from '../../facerec/v1/FindIndexedRequest';
import type { Identity as _facerec_v1_Identity, Identity__Output as _facerec_v1_Identity__Output } from '../../facerec/v1/Identity';
import type { IdentityRef as _facerec_v1_IdentityRef, IdentityRef__Output as _facerec_v1_IdentityRef__Output } from '../../facerec/v1/IdentityRef';
import type { ImportChunk as _facerec_v1_ImportChunk, ImportChunk__Output as _facerec_v1_ImportChunk__Output } from '../../facerec/v1/ImportChunk';
import type { IndexPersonsReply as _facerec_v1_IndexPersonsReply, IndexPersonsReply__Output as _facerec_v1_IndexPersonsReply__Output } from '../../facerec/v1/IndexPersonsReply';
import type { IndexPersonsRequest as _facerec_v1_IndexPersonsRequest, IndexPersonsRequest__Output as _facerec_v1_IndexPersonsRequest__Output } from '../../facerec/v1/IndexPersonsRequest';
import type { IndexedIdentity as _facerec_v1_IndexedIdentity, IndexedIdentity__Output as _facerec_v1_IndexedIdentity__Output } from '../../facerec/v1/IndexedIdentity';
import type { IndexedRef as _facerec_v1_IndexedRef, IndexedRef__Output as _facerec_v1_IndexedRef__Output } from '../../facerec/v1/IndexedRef';
import type { ListIdentitiesReply as _facerec_v1_ListIdentitiesReply, ListIdentitiesReply__Output as _facerec_v1_ListIdentitiesReply__Output } from '../../facerec/v1/ListIdentitiesReply';
import type { ListIdentitiesRequest as _facerec_v1_ListIdentitiesRequest, ListIdentitiesRequest__Output as _facerec_v1_ListIdentitiesRequest__Output } from '../../facerec/v1/ListIdentitiesRequest';
import type { ListIndexedReply as _facerec_v1_ListIndexedReply, ListIndexedReply__Output as _facerec_v1_ListIndexedReply__Output } from '../../facerec/v1/ListIndexedReply';
import type { ListIndexedRequest as _facerec_v1_ListIndexedRequest, ListIndexedRequest__Output as _facerec_v1_ListIndexedRequest__Output } from '../../facerec/v1/ListIndexedRequest';
import type { ListModelsReply as _facerec_v1_ListModelsReply, ListModelsReply__Output as _facerec_v1_ListModelsReply__Output } from '../../facerec/v1/ListModelsReply';
import type { ListModelsRequest as _facerec_v1_ListModelsRequest, ListModelsRequest__Output as _facerec_v1_ListModelsRequest__Output } from '../../facerec/v1/ListModelsRequest';
import type { MatchReply as _facerec_v1_MatchReply, MatchReply__Output as _facerec_v1_MatchReply__Output } from '../../facerec/v1/MatchReply';
import type { MatchRequest as _facerec_v1_MatchRequest, MatchRequest__Output as _facerec_v1_MatchRequest__Output } from '../../facerec/v1/MatchRequest';
import type { Model as _facerec_v1_Model, Model__Output as _facerec_v1_Model__Output } from '../../facerec/v1/Model';
import type { ModelRef as _facerec_v1_ModelRef, ModelRef__Output as _facerec_v1_ModelRef__Output } from '../../facerec/v1/ModelRef';
import type { NameIndexedRequest as _facerec_v1_NameIndexedRequest, NameIndexedRequest__Output as _facerec_v1_NameIndexedRequest__Output } from '../../facerec/v1/NameIndexedRequest';
import type { ReembedReply as _facerec_v1_ReembedReply, ReembedReply__Output as _facerec_v1_ReembedReply__Output } from '../../facerec/v1/ReembedReply';
import type { RenameIdentityRequest as _facerec_v1_RenameIdentityRequest, RenameIdentityRequest__Output as _facerec_v1_RenameIdentityRequest__Output } from '../../facerec/v1/RenameIdentityRequest';
import type { ResolveIndexedReply as _facerec_v1_ResolveIndexedReply, ResolveIndexedReply__Output as _facerec_v1_ResolveIndexedReply__Output } from '../../facerec/v1/ResolveIndexedReply';
import type { ResolveIndexedRequest as _facerec_v1_ResolveIndexedRequest, ResolveIndexedRequest__Output as _facerec_v1_ResolveIndexedRequest__Output } from '../../facerec/v1/ResolveIndexedRequest';
import type { ResolveModelsReply as _facerec_v1_ResolveModelsReply, ResolveModelsReply__Output as _facerec_v1_ResolveModelsReply__Output } from '../../facerec/v1/ResolveModelsReply';
import type { ResolveModelsRequest as _facerec_v1_ResolveModelsRequest, ResolveModelsRequest__Output as _facerec_v1_ResolveModelsRequest__Output } from '../../facerec/v1/ResolveModelsRequest';

export interface MatcherClient extends grpc.Client {
  /**
   * Adds samples to the model's identity of that name, creating the identity if new.
   */
  AddSamples(argument: _facerec_v1_AddSamplesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  AddSamples(argument: _facerec_v1_AddSamplesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  AddSamples(argument: _facerec_v1_AddSamplesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  AddSamples(argument: _facerec_v1_AddSamplesRequest, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  /**
   * Adds samples to the model's identity of that name, creating the identity if new.
   */
  addSamples(argument: _facerec_v1_AddSamplesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  addSamples(argument: _facerec_v1_AddSamplesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  addSamples(argument: _facerec_v1_AddSamplesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  addSamples(argument: _facerec_v1_AddSamplesRequest, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  
  CreateModel(argument: _facerec_v1_CreateModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  CreateModel(argument: _facerec_v1_CreateModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  CreateModel(argument: _facerec_v1_CreateModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  CreateModel(argument: _facerec_v1_CreateModelRequest, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  createModel(argument: _facerec_v1_CreateModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  createModel(argument: _facerec_v1_CreateModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  createModel(argument: _facerec_v1_CreateModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  createModel(argument: _facerec_v1_CreateModelRequest, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  
  DeleteIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  DeleteIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  DeleteIdentity(argument: _facerec_v1_IdentityRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  DeleteIdentity(argument: _facerec_v1_IdentityRef, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteIdentity(argument: _facerec_v1_IdentityRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteIdentity(argument: _facerec_v1_IdentityRef, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  
  /**
   * Erases an indexed identity (its vectors, samples, crops, thumbnail and appearances) and
   * replies with it as it was. A named one's gallery identity stays. NOT_FOUND: no such identity.
   */
  DeleteIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  DeleteIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  DeleteIndexed(argument: _facerec_v1_IndexedRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  DeleteIndexed(argument: _facerec_v1_IndexedRef, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  /**
   * Erases an indexed identity (its vectors, samples, crops, thumbnail and appearances) and
   * replies with it as it was. A named one's gallery identity stays. NOT_FOUND: no such identity.
   */
  deleteIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  deleteIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  deleteIndexed(argument: _facerec_v1_IndexedRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  deleteIndexed(argument: _facerec_v1_IndexedRef, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  
  DeleteModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  DeleteModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  DeleteModel(argument: _facerec_v1_ModelRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  DeleteModel(argument: _facerec_v1_ModelRef, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteModel(argument: _facerec_v1_ModelRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  deleteModel(argument: _facerec_v1_ModelRef, callback: grpc.requestCallback<_facerec_v1_Deleted__Output>): grpc.ClientUnaryCall;
  
  /**
   * The model as one export file (JSON), in chunks.
   */
  ExportModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_facerec_v1_FileChunk__Output>;
  ExportModel(argument: _facerec_v1_ModelRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_facerec_v1_FileChunk__Output>;
  /**
   * The model as one export file (JSON), in chunks.
   */
  exportModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_facerec_v1_FileChunk__Output>;
  exportModel(argument: _facerec_v1_ModelRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_facerec_v1_FileChunk__Output>;
  
  /**
   * The unnamed indexed identities one person's embeddings match (mean nearest-sample distance
   * ≤ max_distance, contract scale; 0: the index's own threshold), nearest first.
   */
  FindIndexed(argument: _facerec_v1_FindIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  FindIndexed(argument: _facerec_v1_FindIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  FindIndexed(argument: _facerec_v1_FindIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  FindIndexed(argument: _facerec_v1_FindIndexedRequest, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  /**
   * The unnamed indexed identities one person's embeddings match (mean nearest-sample distance
   * ≤ max_distance, contract scale; 0: the index's own threshold), nearest first.
   */
  findIndexed(argument: _facerec_v1_FindIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  findIndexed(argument: _facerec_v1_FindIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  findIndexed(argument: _facerec_v1_FindIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  findIndexed(argument: _facerec_v1_FindIndexedRequest, callback: grpc.requestCallback<_facerec_v1_FindIndexedReply__Output>): grpc.ClientUnaryCall;
  
  GetIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  GetIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  GetIdentity(argument: _facerec_v1_IdentityRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  GetIdentity(argument: _facerec_v1_IdentityRef, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  
  GetIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  GetIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  GetIndexed(argument: _facerec_v1_IndexedRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  GetIndexed(argument: _facerec_v1_IndexedRef, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  getIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  getIndexed(argument: _facerec_v1_IndexedRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  getIndexed(argument: _facerec_v1_IndexedRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  getIndexed(argument: _facerec_v1_IndexedRef, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  
  GetModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _facerec_v1_ModelRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _facerec_v1_ModelRef, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  getModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  getModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  getModel(argument: _facerec_v1_ModelRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  getModel(argument: _facerec_v1_ModelRef, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientUnaryCall;
  
  /**
   * An export file in chunks → a new model.
   */
  ImportModel(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  ImportModel(metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  ImportModel(options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  ImportModel(callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  /**
   * An export file in chunks → a new model.
   */
  importModel(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  importModel(metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  importModel(options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  importModel(callback: grpc.requestCallback<_facerec_v1_Model__Output>): grpc.ClientWritableStream<_facerec_v1_ImportChunk>;
  
  /**
   * The identity index (index_unknowns): persistent ids for unknown persons across jobs.
   * Each person is matched against the indexed identities (mean over its embeddings of the
   * distance to the identity's nearest sample, ≤ 1.0 on the contract scale): a match gets that
   * identity's id and the appearance is added to it; else a new indexed identity is made. Named
   * identities are never returned (their samples now match through their gallery).
   */
  IndexPersons(argument: _facerec_v1_IndexPersonsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  IndexPersons(argument: _facerec_v1_IndexPersonsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  IndexPersons(argument: _facerec_v1_IndexPersonsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  IndexPersons(argument: _facerec_v1_IndexPersonsRequest, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  /**
   * The identity index (index_unknowns): persistent ids for unknown persons across jobs.
   * Each person is matched against the indexed identities (mean over its embeddings of the
   * distance to the identity's nearest sample, ≤ 1.0 on the contract scale): a match gets that
   * identity's id and the appearance is added to it; else a new indexed identity is made. Named
   * identities are never returned (their samples now match through their gallery).
   */
  indexPersons(argument: _facerec_v1_IndexPersonsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  indexPersons(argument: _facerec_v1_IndexPersonsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  indexPersons(argument: _facerec_v1_IndexPersonsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  indexPersons(argument: _facerec_v1_IndexPersonsRequest, callback: grpc.requestCallback<_facerec_v1_IndexPersonsReply__Output>): grpc.ClientUnaryCall;
  
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Newest first.
   */
  ListIndexed(argument: _facerec_v1_ListIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  ListIndexed(argument: _facerec_v1_ListIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  ListIndexed(argument: _facerec_v1_ListIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  ListIndexed(argument: _facerec_v1_ListIndexedRequest, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  /**
   * Newest first.
   */
  listIndexed(argument: _facerec_v1_ListIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  listIndexed(argument: _facerec_v1_ListIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  listIndexed(argument: _facerec_v1_ListIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  listIndexed(argument: _facerec_v1_ListIndexedRequest, callback: grpc.requestCallback<_facerec_v1_ListIndexedReply__Output>): grpc.ClientUnaryCall;
  
  ListModels(argument: _facerec_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _facerec_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _facerec_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _facerec_v1_ListModelsRequest, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  listModels(argument: _facerec_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  listModels(argument: _facerec_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  listModels(argument: _facerec_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  listModels(argument: _facerec_v1_ListModelsRequest, callback: grpc.requestCallback<_facerec_v1_ListModelsReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * For each embedding, the k nearest identities among the given models, nearest first.
   */
  Match(argument: _facerec_v1_MatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  Match(argument: _facerec_v1_MatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  Match(argument: _facerec_v1_MatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  Match(argument: _facerec_v1_MatchRequest, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  /**
   * For each embedding, the k nearest identities among the given models, nearest first.
   */
  match(argument: _facerec_v1_MatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  match(argument: _facerec_v1_MatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  match(argument: _facerec_v1_MatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  match(argument: _facerec_v1_MatchRequest, callback: grpc.requestCallback<_facerec_v1_MatchReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Names an indexed identity: its samples move into the model's identity of that name (created
   * when new). NOT_FOUND: no such indexed identity; ALREADY_EXISTS: it is named already;
   * INVALID_ARGUMENT: no such model.
   */
  NameIndexed(argument: _facerec_v1_NameIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  NameIndexed(argument: _facerec_v1_NameIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  NameIndexed(argument: _facerec_v1_NameIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  NameIndexed(argument: _facerec_v1_NameIndexedRequest, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  /**
   * Names an indexed identity: its samples move into the model's identity of that name (created
   * when new). NOT_FOUND: no such indexed identity; ALREADY_EXISTS: it is named already;
   * INVALID_ARGUMENT: no such model.
   */
  nameIndexed(argument: _facerec_v1_NameIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  nameIndexed(argument: _facerec_v1_NameIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  nameIndexed(argument: _facerec_v1_NameIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  nameIndexed(argument: _facerec_v1_NameIndexedRequest, callback: grpc.requestCallback<_facerec_v1_IndexedIdentity__Output>): grpc.ClientUnaryCall;
  
  /**
   * Re-embeds a gallery from its samples' source crops with the running embedder (refused for
   * matching meanwhile); a gallery with a sample that cannot be re-embedded is left as it was.
   */
  ReembedModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  ReembedModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  ReembedModel(argument: _facerec_v1_ModelRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  ReembedModel(argument: _facerec_v1_ModelRef, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  /**
   * Re-embeds a gallery from its samples' source crops with the running embedder (refused for
   * matching meanwhile); a gallery with a sample that cannot be re-embedded is left as it was.
   */
  reembedModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  reembedModel(argument: _facerec_v1_ModelRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  reembedModel(argument: _facerec_v1_ModelRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  reembedModel(argument: _facerec_v1_ModelRef, callback: grpc.requestCallback<_facerec_v1_ReembedReply__Output>): grpc.ClientUnaryCall;
  
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  
  /**
   * Indexed ids → names ('' while unnamed or unknown), in the order asked.
   */
  ResolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  ResolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  ResolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  ResolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  /**
   * Indexed ids → names ('' while unnamed or unknown), in the order asked.
   */
  resolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  resolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  resolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  resolveIndexed(argument: _facerec_v1_ResolveIndexedRequest, callback: grpc.requestCallback<_facerec_v1_ResolveIndexedReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Model names or ids → ids; unknown ones are listed, not an error.
   */
  ResolveModels(argument: _facerec_v1_ResolveModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  ResolveModels(argument: _facerec_v1_ResolveModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  ResolveModels(argument: _facerec_v1_ResolveModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  ResolveModels(argument: _facerec_v1_ResolveModelsRequest, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  /**
   * Model names or ids → ids; unknown ones are listed, not an error.
   */
  resolveModels(argument: _facerec_v1_ResolveModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  resolveModels(argument: _facerec_v1_ResolveModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  resolveModels(argument: _facerec_v1_ResolveModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  resolveModels(argument: _facerec_v1_ResolveModelsRequest, callback: grpc.requestCallback<_facerec_v1_ResolveModelsReply__Output>): grpc.ClientUnaryCall;
  
}

export interface MatcherHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Adds samples to the model's identity of that name, creating the identity if new.
   */
  AddSamples: grpc.handleUnaryCall<_facerec_v1_AddSamplesRequest__Output, _facerec_v1_Identity>;
  
  CreateModel: grpc.handleUnaryCall<_facerec_v1_CreateModelRequest__Output, _facerec_v1_Model>;
  
  DeleteIdentity: grpc.handleUnaryCall<_facerec_v1_IdentityRef__Output, _facerec_v1_Deleted>;
  
  /**
   * Erases an indexed identity (its vectors, samples, crops, thumbnail and appearances) and
   * replies with it as it was. A named one's gallery identity stays. NOT_FOUND: no such identity.
   */
  DeleteIndexed: grpc.handleUnaryCall<_facerec_v1_IndexedRef__Output, _facerec_v1_IndexedIdentity>;
  
  DeleteModel: grpc.handleUnaryCall<_facerec_v1_ModelRef__Output, _facerec_v1_Deleted>;
  
  /**
   * The model as one export file (JSON), in chunks.
   */
  ExportModel: grpc.handleServerStreamingCall<_facerec_v1_ModelRef__Output, _facerec_v1_FileChunk>;
  
  /**
   * The unnamed indexed identities one person's embeddings match (mean nearest-sample distance
   * ≤ max_distance, contract scale; 0: the index's own threshold), nearest first.
   */
  FindIndexed: grpc.handleUnaryCall<_facerec_v1_FindIndexedRequest__Output, _facerec_v1_FindIndexedReply>;
  
  GetIdentity: grpc.handleUnaryCall<_facerec_v1_IdentityRef__Output, _facerec_v1_Identity>;
  
  GetIndexed: grpc.handleUnaryCall<_facerec_v1_IndexedRef__Output, _facerec_v1_IndexedIdentity>;
  
  GetModel: grpc.handleUnaryCall<_facerec_v1_ModelRef__Output, _facerec_v1_Model>;
  
  /**
   * An export file in chunks → a new model.
   */
  ImportModel: grpc.handleClientStreamingCall<_facerec_v1_ImportChunk__Output, _facerec_v1_Model>;
  
  /**
   * The identity index (index_unknowns): persistent ids for unknown persons across jobs.
   * Each person is matched against the indexed identities (mean over its embeddings of the
   * distance to the identity's nearest sample, ≤ 1.0 on the contract scale): a match gets that
   * identity's id and the appearance is added to it; else a new indexed identity is made. Named
   * identities are never returned (their samples now match through their gallery).
   */
  IndexPersons: grpc.handleUnaryCall<_facerec_v1_IndexPersonsRequest__Output, _facerec_v1_IndexPersonsReply>;
  
  ListIdentities: grpc.handleUnaryCall<_facerec_v1_ListIdentitiesRequest__Output, _facerec_v1_ListIdentitiesReply>;
  
  /**
   * Newest first.
   */
  ListIndexed: grpc.handleUnaryCall<_facerec_v1_ListIndexedRequest__Output, _facerec_v1_ListIndexedReply>;
  
  ListModels: grpc.handleUnaryCall<_facerec_v1_ListModelsRequest__Output, _facerec_v1_ListModelsReply>;
  
  /**
   * For each embedding, the k nearest identities among the given models, nearest first.
   */
  Match: grpc.handleUnaryCall<_facerec_v1_MatchRequest__Output, _facerec_v1_MatchReply>;
  
  /**
   * Names an indexed identity: its samples move into the model's identity of that name (created
   * when new). NOT_FOUND: no such indexed identity; ALREADY_EXISTS: it is named already;
   * INVALID_ARGUMENT: no such model.
   */
  NameIndexed: grpc.handleUnaryCall<_facerec_v1_NameIndexedRequest__Output, _facerec_v1_IndexedIdentity>;
  
  /**
   * Re-embeds a gallery from its samples' source crops with the running embedder (refused for
   * matching meanwhile); a gallery with a sample that cannot be re-embedded is left as it was.
   */
  ReembedModel: grpc.handleUnaryCall<_facerec_v1_ModelRef__Output, _facerec_v1_ReembedReply>;
  
  RenameIdentity: grpc.handleUnaryCall<_facerec_v1_RenameIdentityRequest__Output, _facerec_v1_Identity>;
  
  /**
   * Indexed ids → names ('' while unnamed or unknown), in the order asked.
   */
  ResolveIndexed: grpc.handleUnaryCall<_facerec_v1_ResolveIndexedRequest__Output, _facerec_v1_ResolveIndexedReply>;
  
  /**
   * Model names or ids → ids; unknown ones are listed, not an error.
   */
  ResolveModels: grpc.handleUnaryCall<_facerec_v1_ResolveModelsRequest__Output, _facerec_v1_ResolveModelsReply>;
  
}

export interface MatcherDefinition extends grpc.ServiceDefinition {
  AddSamples: MethodDefinition<_facerec_v1_AddSamplesRequest, _facerec_v1_Identity, _facerec_v1_AddSamplesRequest__Output, _facerec_v1_Identity__Output>
  CreateModel: MethodDefinition<_facerec_v1_CreateModelRequest, _facerec_v1_Model, _facerec_v1_CreateModelRequest__Output, _facerec_v1_Model__Output>
  DeleteIdentity: MethodDefinition<_facerec_v1_IdentityRef, _facerec_v1_Deleted, _facerec_v1_IdentityRef__Output, _facerec_v1_Deleted__Output>
  DeleteIndexed: MethodDefinition<_facerec_v1_IndexedRef, _facerec_v1_IndexedIdentity, _facerec_v1_IndexedRef__Output, _facerec_v1_IndexedIdentity__Output>
  DeleteModel: MethodDefinition<_facerec_v1_ModelRef, _facerec_v1_Deleted, _facerec_v1_ModelRef__Output, _facerec_v1_Deleted__Output>
  ExportModel: MethodDefinition<_facerec_v1_ModelRef, _facerec_v1_FileChunk, _facerec_v1_ModelRef__Output, _facerec_v1_FileChunk__Output>
  FindIndexed: MethodDefinition<_facerec_v1_FindIndexedRequest, _facerec_v1_FindIndexedReply, _facerec_v1_FindIndexedRequest__Output, _facerec_v1_FindIndexedReply__Output>
  GetIdentity: MethodDefinition<_facerec_v1_IdentityRef, _facerec_v1_Identity, _facerec_v1_IdentityRef__Output, _facerec_v1_Identity__Output>
  GetIndexed: MethodDefinition<_facerec_v1_IndexedRef, _facerec_v1_IndexedIdentity, _facerec_v1_IndexedRef__Output, _facerec_v1_IndexedIdentity__Output>
  GetModel: MethodDefinition<_facerec_v1_ModelRef, _facerec_v1_Model, _facerec_v1_ModelRef__Output, _facerec_v1_Model__Output>
  ImportModel: MethodDefinition<_facerec_v1_ImportChunk, _facerec_v1_Model, _facerec_v1_ImportChunk__Output, _facerec_v1_Model__Output>
  IndexPersons: MethodDefinition<_facerec_v1_IndexPersonsRequest, _facerec_v1_IndexPersonsReply, _facerec_v1_IndexPersonsRequest__Output, _facerec_v1_IndexPersonsReply__Output>
  ListIdentities: MethodDefinition<_facerec_v1_ListIdentitiesRequest, _facerec_v1_ListIdentitiesReply, _facerec_v1_ListIdentitiesRequest__Output, _facerec_v1_ListIdentitiesReply__Output>
  ListIndexed: MethodDefinition<_facerec_v1_ListIndexedRequest, _facerec_v1_ListIndexedReply, _facerec_v1_ListIndexedRequest__Output, _facerec_v1_ListIndexedReply__Output>
  ListModels: MethodDefinition<_facerec_v1_ListModelsRequest, _facerec_v1_ListModelsReply, _facerec_v1_ListModelsRequest__Output, _facerec_v1_ListModelsReply__Output>
  Match: MethodDefinition<_facerec_v1_MatchRequest, _facerec_v1_MatchReply, _facerec_v1_MatchRequest__Output, _facerec_v1_MatchReply__Output>
  NameIndexed: MethodDefinition<_facerec_v1_NameIndexedRequest, _facerec_v1_IndexedIdentity, _facerec_v1_NameIndexedRequest__Output, _facerec_v1_IndexedIdentity__Output>
  ReembedModel: MethodDefinition<_facerec_v1_ModelRef, _facerec_v1_ReembedReply, _facerec_v1_ModelRef__Output, _facerec_v1_ReembedReply__Output>
  RenameIdentity: MethodDefinition<_facerec_v1_RenameIdentityRequest, _facerec_v1_Identity, _facerec_v1_RenameIdentityRequest__Output, _facerec_v1_Identity__Output>
  ResolveIndexed: MethodDefinition<_facerec_v1_ResolveIndexedRequest, _facerec_v1_ResolveIndexedReply, _facerec_v1_ResolveIndexedRequest__Output, _facerec_v1_ResolveIndexedReply__Output>
  ResolveModels: MethodDefinition<_facerec_v1_ResolveModelsRequest, _facerec_v1_ResolveModelsReply, _facerec_v1_ResolveModelsRequest__Output, _facerec_v1_ResolveModelsReply__Output>
}
