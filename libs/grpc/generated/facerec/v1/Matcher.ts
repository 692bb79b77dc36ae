// Original file: proto/facerec/v1/matcher.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddSamplesRequest as _facerec_v1_AddSamplesRequest, AddSamplesRequest__Output as _facerec_v1_AddSamplesRequest__Output } from '../../facerec/v1/AddSamplesRequest';
import type { CreateModelRequest as _facerec_v1_CreateModelRequest, CreateModelRequest__Output as _facerec_v1_CreateModelRequest__Output } from '../../facerec/v1/CreateModelRequest';
import type { Deleted as _facerec_v1_Deleted, Deleted__Output as _facerec_v1_Deleted__Output } from '../../facerec/v1/Deleted';
import type { FileChunk as _facerec_v1_FileChunk, FileChunk__Output as _facerec_v1_FileChunk__Output } from '../../facerec/v1/FileChunk';
import type { Identity as _facerec_v1_Identity, Identity__Output as _facerec_v1_Identity__Output } from '../../facerec/v1/Identity';
import type { IdentityRef as _facerec_v1_IdentityRef, IdentityRef__Output as _facerec_v1_IdentityRef__Output } from '../../facerec/v1/IdentityRef';
import type { ImportChunk as _facerec_v1_ImportChunk, ImportChunk__Output as _facerec_v1_ImportChunk__Output } from '../../facerec/v1/ImportChunk';
import type { ListIdentitiesReply as _facerec_v1_ListIdentitiesReply, ListIdentitiesReply__Output as _facerec_v1_ListIdentitiesReply__Output } from '../../facerec/v1/ListIdentitiesReply';
import type { ListIdentitiesRequest as _facerec_v1_ListIdentitiesRequest, ListIdentitiesRequest__Output as _facerec_v1_ListIdentitiesRequest__Output } from '../../facerec/v1/ListIdentitiesRequest';
import type { ListModelsReply as _facerec_v1_ListModelsReply, ListModelsReply__Output as _facerec_v1_ListModelsReply__Output } from '../../facerec/v1/ListModelsReply';
import type { ListModelsRequest as _facerec_v1_ListModelsRequest, ListModelsRequest__Output as _facerec_v1_ListModelsRequest__Output } from '../../facerec/v1/ListModelsRequest';
import type { MatchReply as _facerec_v1_MatchReply, MatchReply__Output as _facerec_v1_MatchReply__Output } from '../../facerec/v1/MatchReply';
import type { MatchRequest as _facerec_v1_MatchRequest, MatchRequest__Output as _facerec_v1_MatchRequest__Output } from '../../facerec/v1/MatchRequest';
import type { Model as _facerec_v1_Model, Model__Output as _facerec_v1_Model__Output } from '../../facerec/v1/Model';
import type { ModelRef as _facerec_v1_ModelRef, ModelRef__Output as _facerec_v1_ModelRef__Output } from '../../facerec/v1/ModelRef';
import type { RenameIdentityRequest as _facerec_v1_RenameIdentityRequest, RenameIdentityRequest__Output as _facerec_v1_RenameIdentityRequest__Output } from '../../facerec/v1/RenameIdentityRequest';
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
  
  GetIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  GetIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  GetIdentity(argument: _facerec_v1_IdentityRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  GetIdentity(argument: _facerec_v1_IdentityRef, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  getIdentity(argument: _facerec_v1_IdentityRef, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  
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
  
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  ListIdentities(argument: _facerec_v1_ListIdentitiesRequest, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  listIdentities(argument: _facerec_v1_ListIdentitiesRequest, callback: grpc.requestCallback<_facerec_v1_ListIdentitiesReply__Output>): grpc.ClientUnaryCall;
  
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
  
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  RenameIdentity(argument: _facerec_v1_RenameIdentityRequest, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  renameIdentity(argument: _facerec_v1_RenameIdentityRequest, callback: grpc.requestCallback<_facerec_v1_Identity__Output>): grpc.ClientUnaryCall;
  
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
  
  DeleteModel: grpc.handleUnaryCall<_facerec_v1_ModelRef__Output, _facerec_v1_Deleted>;
  
  /**
   * The model as one export file (JSON), in chunks.
   */
  ExportModel: grpc.handleServerStreamingCall<_facerec_v1_ModelRef__Output, _facerec_v1_FileChunk>;
  
  GetIdentity: grpc.handleUnaryCall<_facerec_v1_IdentityRef__Output, _facerec_v1_Identity>;
  
  GetModel: grpc.handleUnaryCall<_facerec_v1_ModelRef__Output, _facerec_v1_Model>;
  
  /**
   * An export file in chunks → a new model.
   */
  ImportModel: grpc.handleClientStreamingCall<_facerec_v1_ImportChunk__Output, _facerec_v1_Model>;
  
  ListIdentities: grpc.handleUnaryCall<_facerec_v1_ListIdentitiesRequest__Output, _facerec_v1_ListIdentitiesReply>;
  
  ListModels: grpc.handleUnaryCall<_facerec_v1_ListModelsRequest__Output, _facerec_v1_ListModelsReply>;
  
  /**
   * For each embedding, the k nearest identities among the given models, nearest first.
   */
  Match: grpc.handleUnaryCall<_facerec_v1_MatchRequest__Output, _facerec_v1_MatchReply>;
  
  RenameIdentity: grpc.handleUnaryCall<_facerec_v1_RenameIdentityRequest__Output, _facerec_v1_Identity>;
  
  /**
   * Model names or ids → ids; unknown ones are listed, not an error.
   */
  ResolveModels: grpc.handleUnaryCall<_facerec_v1_ResolveModelsRequest__Output, _facerec_v1_ResolveModelsReply>;
  
}

export interface MatcherDefinition extends grpc.ServiceDefinition {
  AddSamples: MethodDefinition<_facerec_v1_AddSamplesRequest, _facerec_v1_Identity, _facerec_v1_AddSamplesRequest__Output, _facerec_v1_Identity__Output>
  CreateModel: MethodDefinition<_facerec_v1_CreateModelRequest, _facerec_v1_Model, _facerec_v1_CreateModelRequest__Output, _facerec_v1_Model__Output>
  DeleteIdentity: MethodDefinition<_facerec_v1_IdentityRef, _facerec_v1_Deleted, _facerec_v1_IdentityRef__Output, _facerec_v1_Deleted__Output>
  DeleteModel: MethodDefinition<_facerec_v1_ModelRef, _facerec_v1_Deleted, _facerec_v1_ModelRef__Output, _facerec_v1_Deleted__Output>
  ExportModel: MethodDefinition<_facerec_v1_ModelRef, _facerec_v1_FileChunk, _facerec_v1_ModelRef__Output, _facerec_v1_FileChunk__Output>
  GetIdentity: MethodDefinition<_facerec_v1_IdentityRef, _facerec_v1_Identity, _facerec_v1_IdentityRef__Output, _facerec_v1_Identity__Output>
  GetModel: MethodDefinition<_facerec_v1_ModelRef, _facerec_v1_Model, _facerec_v1_ModelRef__Output, _facerec_v1_Model__Output>
  ImportModel: MethodDefinition<_facerec_v1_ImportChunk, _facerec_v1_Model, _facerec_v1_ImportChunk__Output, _facerec_v1_Model__Output>
  ListIdentities: MethodDefinition<_facerec_v1_ListIdentitiesRequest, _facerec_v1_ListIdentitiesReply, _facerec_v1_ListIdentitiesRequest__Output, _facerec_v1_ListIdentitiesReply__Output>
  ListModels: MethodDefinition<_facerec_v1_ListModelsRequest, _facerec_v1_ListModelsReply, _facerec_v1_ListModelsRequest__Output, _facerec_v1_ListModelsReply__Output>
  Match: MethodDefinition<_facerec_v1_MatchRequest, _facerec_v1_MatchReply, _facerec_v1_MatchRequest__Output, _facerec_v1_MatchReply__Output>
  RenameIdentity: MethodDefinition<_facerec_v1_RenameIdentityRequest, _facerec_v1_Identity, _facerec_v1_RenameIdentityRequest__Output, _facerec_v1_Identity__Output>
  ResolveModels: MethodDefinition<_facerec_v1_ResolveModelsRequest, _facerec_v1_ResolveModelsReply, _facerec_v1_ResolveModelsRequest__Output, _facerec_v1_ResolveModelsReply__Output>
}
