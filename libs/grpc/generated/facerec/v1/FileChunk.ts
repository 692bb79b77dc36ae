// Original file: proto/facerec/v1/matcher.proto


export interface FileChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface FileChunk__Output {
  'data': (Buffer);
}
