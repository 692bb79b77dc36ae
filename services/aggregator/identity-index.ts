// index_unknowns (SPEC §1): each unknown person of a job gets a persistent id from the matcher's
// identity index. The aggregator calls indexUnknownPersons once per job with every unknown person
// and sets meta.indexed_identity on that person's result items.
import { euclidean } from '../../libs/engine/distance.js';
import type { Embedding } from './observations.js';
import { packedEmbedding } from '../../libs/grpc/embedding-wire.js';
import { unary, type MatcherClient } from '../../libs/grpc/grpc.js';
import type { IndexPersonsReply__Output } from '../../libs/grpc/generated/facerec/v1/IndexPersonsReply.js';
import type { IndexPersonsRequest } from '../../libs/grpc/generated/facerec/v1/IndexPersonsRequest.js';

export interface UnknownPersonToIndex {
  /** Raw embeddings of the person's faces (any number: a few diverse ones are sent). */
  embeddings: readonly Embedding[];
  /** Embedding model that made them (e.g. 'dlib-resnet'). */
  embeddingModel: string;
  /** Base64 JPEG of the person's face, or null. */
  thumbnail: string | null;
  appearance: { jobId: string; source: string; resultIds: string[]; frameStart: number; frameEnd: number };
}

/** Embeddings sent per person, at most. */
export const MAX_EMBEDDINGS_PER_PERSON = 8;
/** Persons per IndexPersons call. */
const PERSONS_PER_CALL = 64;
const DEADLINE_MS = 60_000;

/**
 * The indexed identity of each person, in order ('' for a person without any embedding, which
 * cannot be indexed). Persons of one call are indexed one after the other, so two persons of the
 * job that are the same person to the index get the same id.
 */
export async function indexUnknownPersons(matcher: MatcherClient, persons: readonly UnknownPersonToIndex[]): Promise<string[]> {
  const ids = persons.map(() => '');
  const wanted = persons.flatMap((p, i) => (p.embeddings.length > 0 ? [i] : []));
  for (let at = 0; at < wanted.length; at += PERSONS_PER_CALL) {
    const batch = wanted.slice(at, at + PERSONS_PER_CALL);
    const request: IndexPersonsRequest = {
      persons: batch.map((i) => {
        const p = persons[i]!;
        return {
          embeddings: mostDiverse(p.embeddings, MAX_EMBEDDINGS_PER_PERSON).map((values) => packedEmbedding(p.embeddingModel, values)),
          thumbnail: p.thumbnail ? Buffer.from(p.thumbnail, 'base64') : Buffer.alloc(0),
          appearance: p.appearance,
        };
      }),
    };
    const reply = await unary<IndexPersonsRequest, IndexPersonsReply__Output>(matcher, matcher.IndexPersons, request, { deadline: Date.now() + DEADLINE_MS });
    if (reply.ids.length !== batch.length) throw new Error(`IndexPersons answered ${reply.ids.length} ids for ${batch.length} persons`);
    batch.forEach((personIndex, j) => (ids[personIndex] = reply.ids[j]!));
  }
  return ids;
}

/**
 * Up to `max` embeddings spread over the person's looks: the first, then repeatedly the one
 * farthest from those chosen (farthest-point sampling), so a long track is not eight near-copies.
 */
export function mostDiverse<E extends ArrayLike<number>>(embeddings: readonly E[], max: number): E[] {
  if (embeddings.length <= max) return [...embeddings];
  const chosen = [0];
  const nearest = embeddings.map((e) => euclidean(e, embeddings[0]!));
  while (chosen.length < max) {
    let far = -1;
    for (let i = 0; i < embeddings.length; i++) if (far < 0 || nearest[i]! > nearest[far]!) far = i;
    if (nearest[far]! <= 0) break; // the rest are copies
    chosen.push(far);
    for (let i = 0; i < embeddings.length; i++) nearest[i] = Math.min(nearest[i]!, euclidean(embeddings[i]!, embeddings[far]!));
  }
  return chosen.sort((a, b) => a - b).map((i) => embeddings[i]!);
}
