// A minimal protobuf wire-format reader, the counterpart of protobuf.ts: enough to read an ONNX
// file, change a few messages and write it back. A message is kept as its list of fields, each
// with its raw bytes, so that whatever is not changed is written back byte for byte (unknown
// fields included) and a rewrite stays small and deterministic.

export type WireType = 0 | 1 | 2 | 5;

export interface Field {
  field: number;
  wire: WireType;
  /** Varints as bigint; fixed32/fixed64 and length-delimited fields as their bytes. */
  value: bigint | Uint8Array;
}

export function parseMessage(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new Error('protobuf: truncated varint');
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) fields.push({ field, wire, value: varint() });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > bytes.length) throw new Error('protobuf: truncated fixed field');
      fields.push({ field, wire, value: bytes.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === 2) {
      const n = Number(varint());
      if (pos + n > bytes.length) throw new Error(`protobuf: field ${field} runs past the end`);
      fields.push({ field, wire, value: bytes.subarray(pos, pos + n) });
      pos += n;
    } else throw new Error(`protobuf: wire type ${wire} (field ${field}) is not supported`);
  }
  return fields;
}

function pushVarint(out: number[], value: bigint): void {
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
}

/** Values as a packed repeated varint field's payload. */
export function packVarints(values: readonly bigint[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) pushVarint(out, v);
  return Uint8Array.from(out);
}

export function encodeMessage(fields: readonly Field[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const f of fields) {
    const head: number[] = [];
    pushVarint(head, BigInt((f.field << 3) | f.wire));
    if (f.wire === 0) {
      pushVarint(head, f.value as bigint);
      chunks.push(Uint8Array.from(head));
      continue;
    }
    const data = f.value as Uint8Array;
    if (f.wire === 2) pushVarint(head, BigInt(data.length));
    chunks.push(Uint8Array.from(head), data);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

export const text = (f: Field): string => new TextDecoder().decode(f.value as Uint8Array);
export const bytesOf = (f: Field): Uint8Array => f.value as Uint8Array;
export const intOf = (f: Field): bigint => BigInt.asIntN(64, f.value as bigint);

/** The first field numbered `field` as a string, or undefined. */
export function stringField(fields: readonly Field[], field: number): string | undefined {
  const f = fields.find((x) => x.field === field);
  return f ? text(f) : undefined;
}

/** Every value of a repeated int64 field, packed or not. */
export function repeatedInts(fields: readonly Field[], field: number): bigint[] {
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === 0) out.push(intOf(f));
    else for (const g of parseMessage(packedAsFields(bytesOf(f)))) out.push(intOf(g));
  }
  return out;
}

/** Packed varints re-keyed as field 1 so that parseMessage can read them. */
function packedAsFields(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let pos = 0;
  while (pos < data.length) {
    out.push(0x08);
    do out.push(data[pos]!);
    while (data[pos++]! >= 0x80);
  }
  return Uint8Array.from(out);
}

export function stringFieldBytes(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}
