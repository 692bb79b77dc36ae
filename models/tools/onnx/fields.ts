// Field numbers of onnx.proto's messages, for the rewrites that read a file as protobuf fields
// (batch-dimension.ts, quantise.ts).

export const MODEL = { irVersion: 1, graph: 7, opsetImport: 8 } as const;
export const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
export const NODE = { input: 1, output: 2, opType: 4, attribute: 5 } as const;
export const TENSOR = { dims: 1, dataType: 2, int64Data: 7, name: 8, rawData: 9 } as const;
