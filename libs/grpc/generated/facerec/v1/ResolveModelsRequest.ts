// Original file: proto/facerec/v1/matcher.proto


export interface ResolveModelsRequest {
  'refs'?: (string)[];
}

export interface ResolveModelsRequest__Output {
  'refs': (string)[];
}
