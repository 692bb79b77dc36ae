// An Embedding message's vector on the wire: `packed` (little-endian 32-bit floats in one buffer)
// or `values` (repeated float). Senders of many vectors at once pack them: protobuf decodes
// `values` number by number into a growing array, and a batch of thousands of templates became
// tens of MB of short-lived arrays in both processes.
import { endianness } from 'node:os';
import type { Embedding, Embedding__Output } from './generated/facerec/v1/Embedding.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** The message for a vector, packed. */
export function packedEmbedding(model: string, vector: ArrayLike<number>): Embedding {
  const floats = vector instanceof Float32Array ? vector : Float32Array.from(vector);
  const packed = Buffer.allocUnsafe(floats.length * 4);
  if (LITTLE_ENDIAN) packed.set(new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength));
  else for (let i = 0; i < floats.length; i++) packed.writeFloatLE(floats[i]!, i * 4);
  return { model, packed };
}

/** The vector of a received message, whichever way it was sent; null when `packed` is not whole floats. */
export function embeddingVector(message: Pick<Embedding__Output, 'values' | 'packed'>): Float32Array | null {
  return embeddingVectors([message])[0]!;
}

/**
 * The vectors of several messages, the packed ones views of one buffer: a Match call's vectors are
 * one allocation, not one each (a long video's thousands of templates made as many small buffers).
 * Null where a packed vector is not whole floats.
 */
export function embeddingVectors(messages: readonly Pick<Embedding__Output, 'values' | 'packed'>[]): (Float32Array | null)[] {
  const bytes = messages.reduce((n, m) => n + (m.packed && m.packed.length % 4 === 0 ? m.packed.length : 0), 0);
  const all = new Float32Array(bytes / 4);
  let at = 0;
  return messages.map((m) => {
    const packed = m.packed;
    if (!packed || packed.length === 0) return Float32Array.from(m.values ?? []);
    if (packed.length % 4 !== 0) return null;
    const out = all.subarray(at, at + packed.length / 4);
    at += out.length;
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(packed);
    else for (let i = 0; i < out.length; i++) out[i] = packed.readFloatLE(i * 4);
    return out;
  });
}
