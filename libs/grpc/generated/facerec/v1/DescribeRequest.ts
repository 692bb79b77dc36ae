// Original file: proto/facerec/v1/embedder.proto


export interface DescribeRequest {
}

export interface DescribeRequest__Output {
}
