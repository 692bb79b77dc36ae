// Original file: proto/facerec/v1/matcher.proto


export interface ResolveIndexedRequest {
  'ids'?: (string)[];
}

export interface ResolveIndexedRequest__Output {
  'ids': (string)[];
}
