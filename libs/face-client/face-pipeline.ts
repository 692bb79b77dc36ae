// Calls to the detector and the embedder services: frames → faces with chips → embeddings.
// Used by the decoder (jobs), the gateway (gallery photos) and the matcher (re-embedding).
import type { DetectorClient, EmbedderClient } from '../grpc/grpc.js';
import type { DetectedFace__Output } from '../grpc/generated/facerec/v1/DetectedFace.js';
import type { DetectOptions } from '../grpc/generated/facerec/v1/DetectOptions.js';
import type { Frame } from '../grpc/generated/facerec/v1/Frame.js';
import type { FaceChip__Output } from '../grpc/generated/facerec/v1/FaceChip.js';

/** Detects faces in each frame, in order, over one stream. */
export function detectFrames(client: DetectorClient, frames: readonly Frame[], options: DetectOptions, deadlineMs: number): Promise<DetectedFace__Output[][]> {
  return new Promise((resolve, reject) => {
    const call = client.Detect({ deadline: Date.now() + deadlineMs });
    const replies: DetectedFace__Output[][] = [];
    call.on('data', (reply) => replies.push(reply.faces));
    call.on('error', reject);
    call.on('end', () => {
      if (replies.length !== frames.length) reject(new Error(`the detector answered ${replies.length} of ${frames.length} frames`));
      else resolve(replies);
    });
    for (const frame of frames) call.write({ frame, options });
    call.end();
  });
}

/** One embedding per chip, in the chips' order. */
export function embedChips(client: EmbedderClient, chips: readonly FaceChip__Output[], deadlineMs: number): Promise<{ model: string; values: number[] }[]> {
  if (chips.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const call = client.Embed({ deadline: Date.now() + deadlineMs });
    const out = new Array<{ model: string; values: number[] } | undefined>(chips.length);
    call.on('data', (reply) => {
      const i = Number(reply.faceId);
      if (reply.embedding && Number.isInteger(i) && i >= 0 && i < chips.length) out[i] = { model: reply.embedding.model, values: reply.embedding.values };
    });
    call.on('error', reject);
    call.on('end', () => {
      const missing = out.findIndex((e) => !e);
      if (missing >= 0) reject(new Error(`the embedder gave no embedding for face ${missing}`));
      else resolve(out as { model: string; values: number[] }[]);
    });
    chips.forEach((chip, i) => call.write({ faceId: String(i), chip }));
    call.end();
  });
}
