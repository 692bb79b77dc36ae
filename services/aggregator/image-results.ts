// From a job's observed faces and their gallery matches to SPEC §2 results and §1 summaries.
//
// For an image every face is its own result. A person is given to at most one face of an image:
// pairs (face, identity) are taken nearest first, so the face nearer to a person gets it and the
// other face falls to its runner-up or stays unknown.
import { createHash } from 'node:crypto';
import { similarityOf } from '../../libs/engine/calibration.js';
import type { FaceObservation, FaceRecognitionParams, ResultItem, SourceSummary, SummaryItem } from '../../libs/jobs/types.js';
import { clusterFaces } from './cluster.js';
import type { ObservedSource } from './observations.js';

export interface Candidate {
  person: string;
  identityId: string;
  /** Contract scale, 0..2. */
  distance: number;
}

export interface ObservedFace {
  source: ObservedSource;
  frameIndex: number;
  face: FaceObservation;
}

/** Every face of the observed sources, in source, frame, then left-to-right order. */
export function listFaces(sources: readonly ObservedSource[]): ObservedFace[] {
  return sources.flatMap((source) =>
    [...source.frames].flatMap(([frameIndex, faces]) =>
      [...faces].sort((a, b) => a.box.x - b.box.x).map((face) => ({ source, frameIndex, face })),
    ),
  );
}

const IMAGE_TIMECODE = '00:00:00:00';

/**
 * Results for image sources. `candidates[i]` are the nearest identities of `faces[i]`, nearest
 * first; `embeddingDistance` is the contract distance between two faces' embeddings.
 */
export function buildImageResults(
  jobId: string,
  params: FaceRecognitionParams,
  sources: readonly ObservedSource[],
  faces: readonly ObservedFace[],
  candidates: readonly (readonly Candidate[])[],
  embeddingDistance: (a: readonly number[], b: readonly number[]) => number,
): { items: ResultItem[]; summary: SourceSummary[] } {
  const assigned = assignPersons(faces, candidates, params.max_distance);

  // Unknown faces of the whole job, clustered into persons when asked.
  const unknownLabel = new Map<number, string>();
  const unknown = faces.flatMap((f, i) => (assigned[i] === undefined && f.face.embedding ? [i] : []));
  if (params.cluster_unknowns && unknown.length > 0) {
    const clusters = clusterFaces(
      unknown.map((i) => ({ embedding: faces[i]!.face.embedding!, cannotLinkKey: `${faces[i]!.source.index}:${faces[i]!.frameIndex}` })),
      params.max_distance,
      embeddingDistance,
    );
    unknown.forEach((faceIndex, k) => unknownLabel.set(faceIndex, `Unknown #${clusters[k]! + 1}`));
  }

  const items: (ResultItem & { sourceIndex: number })[] = faces.map((f, i) => {
    const chosen = assigned[i];
    const nearest = candidates[i]?.[0];
    const match = chosen ?? nearest;
    const distance = match ? round(match.distance) : null;
    const { width, height } = { width: f.source.info.resolution[0], height: f.source.info.resolution[1] };
    const box = f.face.box;
    const item: ResultItem & { sourceIndex: number } = {
      sourceIndex: f.source.index,
      id: resultId(jobId, f.source.index, i),
      media_type: 'image',
      source: f.source.source,
      module: 'face_recognition',
      frame_start: 0,
      frame_end: 0,
      time_start: 0,
      time_end: 0,
      tc_start: IMAGE_TIMECODE,
      tc_end: IMAGE_TIMECODE,
      meta: {
        person: chosen?.person ?? unknownLabel.get(i) ?? null,
        class_id: null,
        closest_person: chosen ? null : (nearest?.person ?? null),
        mean_distance: distance,
        mean_similarity: distance === null ? null : round(similarityOf(distance)),
        indexed_identity: null,
      },
      thumbnail: { image: f.face.thumbnail ?? '', meta: {} },
      detections: [{ frame_index: f.frameIndex, type: 'face_bbox', data: normalise(box, width, height) }],
    };
    if (params.enable_top_k) item.meta.closest_k_persons = topK(candidates[i] ?? [], params.top_k);
    return item;
  });

  // SPEC §2 order: by time (all 0 in an image), then person; unknowns after the named.
  items.sort(
    (a, b) =>
      a.sourceIndex - b.sourceIndex ||
      a.time_start - b.time_start ||
      comparePersons(a.meta.person, b.meta.person) ||
      a.detections[0]!.data.x - b.detections[0]!.data.x,
  );

  const summary: SourceSummary[] = sources.map((source) => {
    const labels = new Set<string>();
    for (const item of items) if (item.sourceIndex === source.index) labels.add(item.meta.person ?? 'Unknown');
    return {
      source: source.source,
      media_type: source.mediaType,
      info: source.info,
      items: [...labels].map((label): SummaryItem => ({ type: 'face', label, module: 'face_recognition' })),
    };
  });
  return { items: items.map(({ sourceIndex: _, ...item }) => item), summary };
}

/** Per face, the accepted candidate, each person used at most once per image (nearest pairs first). */
function assignPersons(faces: readonly ObservedFace[], candidates: readonly (readonly Candidate[])[], maxDistance: number): (Candidate | undefined)[] {
  const assigned = new Array<Candidate | undefined>(faces.length);
  const pairs = faces.flatMap((f, i) =>
    (candidates[i] ?? []).filter((c) => c.distance <= maxDistance).map((c) => ({ i, c, image: `${f.source.index}:${f.frameIndex}` })),
  );
  pairs.sort((a, b) => a.c.distance - b.c.distance);
  const taken = new Set<string>();
  for (const { i, c, image } of pairs) {
    const key = `${image}\u0000${c.person}`;
    if (assigned[i] || taken.has(key)) continue;
    assigned[i] = c;
    taken.add(key);
  }
  return assigned;
}

/** The k nearest distinct persons (a name in two galleries counts once, at its nearest). */
function topK(candidates: readonly Candidate[], k: number): { person: string; similarity: number }[] {
  const seen = new Set<string>();
  const out: { person: string; similarity: number }[] = [];
  for (const c of candidates) {
    if (seen.has(c.person)) continue;
    seen.add(c.person);
    out.push({ person: c.person, similarity: round(similarityOf(c.distance)) });
    if (out.length === k) break;
  }
  return out;
}

function comparePersons(a: string | null, b: string | null): number {
  const rank = (p: string | null) => (p === null ? 2 : p.startsWith('Unknown #') ? 1 : 0);
  return rank(a) - rank(b) || (a ?? '').localeCompare(b ?? '', 'en', { numeric: true });
}

function normalise(box: { x: number; y: number; w: number; h: number }, width: number, height: number) {
  const x = clamp01(box.x / width);
  const y = clamp01(box.y / height);
  return { x: round(x), y: round(y), w: round(clamp01((box.x + box.w) / width) - x), h: round(clamp01((box.y + box.h) / height) - y) };
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

/** Stable per (job, source, face): a redelivered job writes the same ids. */
function resultId(jobId: string, sourceIndex: number, faceIndex: number): string {
  const h = createHash('sha256').update(`${jobId}/${sourceIndex}/${faceIndex}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
