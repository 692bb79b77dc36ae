// From a job's observed faces and their gallery matches to SPEC §2 results and §1 summaries.
//
// For an image every face is its own result. A person is given to at most one face of an image:
// pairs (face, identity) are taken nearest first, so the face nearer to a person gets it and the
// other face falls to its runner-up or stays unknown.
import { similarityOf } from '../../libs/engine/calibration.js';
import type { FaceRecognitionParams, ResultItem, SourceSummary } from '../../libs/jobs/types.js';
import { clusterFaces } from './cluster.js';
import type { HeldFace, ObservedSource } from './observations.js';
import { comparePersons, normaliseBox, resultId, round, sourceSummary, topK, UNIDENTIFIED_TOO_POOR, type Candidate } from './result-format.js';

export type { Candidate } from './result-format.js';

export interface ObservedFace {
  source: ObservedSource;
  frameIndex: number;
  face: HeldFace;
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
 *
 * With `cluster_unknowns`, the unknown faces are clustered among themselves, unless the caller
 * clustered the whole job (image faces with video tracks, see clusterUnknownTracks) and passes
 * `unknownLabels`: the label of each unknown face by its index in `faces` (the faces to give
 * are those with an embedding that assignPersons leaves without a person).
 */
export function buildImageResults(
  jobId: string,
  params: FaceRecognitionParams,
  sources: readonly ObservedSource[],
  faces: readonly ObservedFace[],
  candidates: readonly (readonly Candidate[])[],
  embeddingDistance: (a: ArrayLike<number>, b: ArrayLike<number>) => number,
  unknownLabels?: ReadonlyMap<number, string>,
): { items: ResultItem[]; summary: SourceSummary[] } {
  const assigned = assignPersons(faces, candidates, params.max_distance);

  // Unknown faces of the whole job, clustered into persons when asked.
  const unknownLabel = new Map<number, string>();
  const unknown = faces.flatMap((f, i) => (assigned[i] === undefined && f.face.embedding ? [i] : []));
  if (params.cluster_unknowns && unknownLabels) {
    for (const i of unknown) {
      const label = unknownLabels.get(i);
      if (label !== undefined) unknownLabel.set(i, label);
    }
  } else if (params.cluster_unknowns && unknown.length > 0) {
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
    const [width, height] = f.source.info.resolution;
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
        unidentified_reason: f.face.embedding ? null : UNIDENTIFIED_TOO_POOR,
      },
      thumbnail: { image: f.face.thumbnail ?? '', meta: {} },
      detections: [{ frame_index: f.frameIndex, type: 'face_bbox', data: normaliseBox(f.face.box, width, height) }],
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

  const summary: SourceSummary[] = sources.map((source) => sourceSummary(source, items.filter((item) => item.sourceIndex === source.index).map((item) => item.meta.person)));
  return { items: items.map(({ sourceIndex: _, ...item }) => item), summary };
}

/** Per face, the accepted candidate, each person used at most once per image (nearest pairs first). */
export function assignPersons(faces: readonly ObservedFace[], candidates: readonly (readonly Candidate[])[], maxDistance: number): (Candidate | undefined)[] {
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
