// Original file: proto/facerec/v1/matcher.proto


export interface ListModelsRequest {
}

export interface ListModelsRequest__Output {
}
