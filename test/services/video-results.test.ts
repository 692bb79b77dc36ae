// buildVideoResults / clusterUnknownTracks on synthetic tracks: identity per track by mean
// distance, max_distance, one person per moment, top-k, timecodes, detections, thumbnails,
// ordering, and job-wide Unknown #n labels (SPEC §1, §2; DESIGN "Faces").
import { describe, expect, it } from 'vitest';
import { similarityOf } from '../../libs/engine/calibration.js';
import type { FaceObservation, FaceRecognitionParams, ResultItem } from '../../libs/jobs/types.js';
import type { ObservedSource } from '../../services/aggregator/observations.js';
import { UNIDENTIFIED_TOO_POOR, type Candidate } from '../../services/aggregator/result-format.js';
import { buildVideoResults, clusterUnknownTracks, type TrackSummary } from '../../services/aggregator/video-results.js';

const NTSC = 30000 / 1001;

interface FaceSpec {
  x?: number;
  size?: number;
  /** 1-D embedding; null: not embedded. */
  embedding?: number[] | null;
  thumbnail?: string | null;
  landmarkScore?: number;
  /** The face's nearest identities. */
  candidates?: Candidate[];
}

const c = (person: string, distance: number, identityId = `id-${person}`): Candidate => ({ person, identityId, distance });

function params(over: Partial<FaceRecognitionParams> = {}): FaceRecognitionParams {
  return { models: ['people'], max_distance: 1, cluster_unknowns: false, index_unknowns: false, face_detection_scale: 600, enable_top_k: false, top_k: 3, ...over };
}

/** A video source under construction: faces added per track, candidates collected alongside. */
class Clip {
  readonly frames = new Map<number, FaceObservation[]>();
  readonly candidates = new Map<FaceObservation, Candidate[]>();
  constructor(
    readonly index = 0,
    readonly fps = 25,
    readonly resolution: [number, number] = [1000, 500],
  ) {}

  /** Adds one face of `trackId` in each of `frames`; `spec(k)` describes the k-th. */
  track(trackId: number | null, frames: number[], spec: (k: number, frame: number) => FaceSpec = () => ({})): this {
    frames.forEach((frame, k) => {
      const s = spec(k, frame);
      const size = s.size ?? 100;
      const face: FaceObservation = {
        box: { x: s.x ?? 100 + (trackId ?? 0) * 150, y: 50, w: size, h: size },
        score: 0.9,
        landmarkScore: s.landmarkScore ?? 0.9,
        landmarks: [],
        embedding: s.embedding === undefined ? [trackId ?? 0] : s.embedding,
        thumbnail: s.thumbnail === undefined ? `t${trackId}-f${frame}` : s.thumbnail,
        trackId,
      };
      this.frames.set(frame, [...(this.frames.get(frame) ?? []), face]);
      if (s.candidates) this.candidates.set(face, s.candidates);
    });
    return this;
  }

  get source(): ObservedSource {
    const frames = new Map([...this.frames].sort((a, b) => a[0] - b[0]));
    return { index: this.index, source: `clip-${this.index}.mp4`, mediaType: 'video', info: { resolution: this.resolution, fps: this.fps }, embeddingModel: 'dlib-resnet', frames };
  }

  build(over: Partial<FaceRecognitionParams> = {}, unknownLabels?: ReadonlyMap<number, string>, jobId = 'job-1') {
    return buildVideoResults(jobId, params(over), this.source, this.candidates, gap, unknownLabels);
  }
}

/** 1-D embedding distance. */
const gap = (a: readonly number[], b: readonly number[]) => Math.abs(a[0]! - b[0]!);

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step);

const round = (v: number) => Math.round(v * 10_000) / 10_000;

/** The item of the track whose first face is at `frame` (one expected). */
function startingAt(items: ResultItem[], frame: number): ResultItem {
  const found = items.filter((i) => i.frame_start === frame);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('buildVideoResults: identity per track', () => {
  it('names a track by the mean distance over its embedded faces: one bad frame does not flip it', () => {
    const clip = new Clip().track(1, range(0, 40, 10), (k) => ({ candidates: k === 2 ? [c('bob', 0.3), c('ann', 0.9)] : [c('ann', 0.5), c('bob', 0.8)] }));
    const { items } = clip.build();
    expect(items).toHaveLength(1);
    // ann: (4 × 0.5 + 0.9) / 5 = 0.58; bob: (4 × 0.8 + 0.3) / 5 = 0.7.
    expect(items[0]!.meta).toMatchObject({ person: 'ann', closest_person: null, mean_distance: 0.58, mean_similarity: round(similarityOf(0.58)) });
  });

  it('counts a person missing from a face’s list at that face’s farthest listed distance', () => {
    // ann listed only by the first face: (0.4 + 0.9) / 2 = 0.65; bob: (0.6 + 0.5) / 2 = 0.55.
    const clip = new Clip().track(1, [0, 5], (k) => ({ candidates: k === 0 ? [c('ann', 0.4), c('bob', 0.6)] : [c('bob', 0.5), c('cy', 0.9)] }));
    expect(clip.build().items[0]!.meta).toMatchObject({ person: 'bob', mean_distance: 0.55 });
  });

  it('uses only embedded faces with candidates; a track without any is unknown with null distances', () => {
    const clip = new Clip()
      .track(1, [0, 5, 10], (k) => (k === 1 ? { embedding: null, candidates: [c('zed', 0)] } : { candidates: [c('ann', 0.4)] }))
      .track(2, [1, 5], () => ({ embedding: null }))
      .track(3, [20], () => ({ candidates: [] }));
    const { items, tracks } = clip.build({ enable_top_k: true });
    expect(startingAt(items, 0).meta.person).toBe('ann');
    const none = items.filter((i) => i.meta.person === null);
    expect(none).toHaveLength(2);
    for (const item of none) {
      expect(item.meta).toMatchObject({ closest_person: null, mean_distance: null, mean_similarity: null, closest_k_persons: [] });
    }
    expect(tracks.find((t) => t.trackId === 2)).toMatchObject({ embeddings: [], meanEmbedding: null, person: null });
  });

  it('accepts a mean distance equal to max_distance and rejects one just above it', () => {
    const clip = new Clip()
      .track(1, [0, 5], (k) => ({ candidates: [c('ann', k === 0 ? 0.5 : 0.7)] })) // mean 0.6
      .track(2, [0, 5], () => ({ candidates: [c('bob', 0.6001)] }))
      .track(3, [0, 5], () => ({ candidates: [c('cy', 0.5999)] }));
    const { items } = clip.build({ max_distance: 0.6 });
    const by = (trackX: number) => items.find((i) => Math.abs(i.detections[0]!.data.x - trackX / 1000) < 1e-9)!;
    expect(by(250).meta.person).toBe('ann');
    expect(by(400).meta).toMatchObject({ person: null, closest_person: 'bob', mean_distance: 0.6001, mean_similarity: round(similarityOf(0.6001)) });
    expect(by(550).meta.person).toBe('cy');
  });

  it('never gives one person to two tracks on screen at the same time: the nearer track gets it', () => {
    const clip = new Clip()
      .track(1, range(0, 100, 10), () => ({ candidates: [c('ann', 0.35), c('bob', 0.6)] }))
      .track(2, range(50, 150, 10), () => ({ candidates: [c('ann', 0.3), c('cy', 1.3)] }))
      .track(3, range(120, 200, 10), () => ({ candidates: [c('ann', 0.4), c('dee', 0.9)] }));
    const { items } = clip.build();
    expect(startingAt(items, 50).meta.person).toBe('ann');
    // Track 1 overlaps track 2 (frames 50–100): falls to its runner-up.
    expect(startingAt(items, 0).meta).toMatchObject({ person: 'bob', mean_distance: 0.6 });
    // Track 3 overlaps track 2 too (120–150): its runner-up dee.
    expect(startingAt(items, 120).meta.person).toBe('dee');
  });

  it('leaves the farther track unknown (closest_person set) when its runner-up is beyond max_distance', () => {
    const clip = new Clip().track(1, [0, 10], () => ({ candidates: [c('ann', 0.2)] })).track(2, [10, 20], () => ({ candidates: [c('ann', 0.3), c('bob', 1.4)] }));
    const { items } = clip.build();
    expect(startingAt(items, 0).meta.person).toBe('ann');
    expect(startingAt(items, 10).meta).toMatchObject({ person: null, closest_person: 'ann', mean_distance: 0.3 });
  });

  it('gives one person to tracks that do not overlap, and joins them into one appearance when the gap is short', () => {
    // At 25 fps the join gap is 1.5 s = 38 frames: tracks 1 and 2 (1 frame apart) are one
    // appearance of ann; track 3, 110 frames later, is another.
    const clip = new Clip()
      .track(1, range(0, 50, 10), () => ({ candidates: [c('ann', 0.3)] }))
      .track(2, range(51, 90, 3), () => ({ candidates: [c('ann', 0.4)] }))
      .track(3, range(200, 210), () => ({ candidates: [c('ann', 0.5)] }));
    const items = clip.build().items;
    expect(items.map((i) => i.meta.person)).toEqual(['ann', 'ann']);
    expect(items.map((i) => [i.frame_start, i.frame_end])).toEqual([[0, 90], [200, 210]]);
    expect(items[0]!.detections).toHaveLength(range(0, 50, 10).length + range(51, 90, 3).length);
  });

  it('does not join tracks of different persons, or unknown tracks, however close', () => {
    const clip = new Clip()
      .track(1, range(0, 50, 10), () => ({ candidates: [c('ann', 0.3)] }))
      .track(2, range(51, 90, 3), () => ({ candidates: [c('bob', 0.4)] }))
      .track(3, range(91, 100, 3), () => ({ candidates: [c('cy', 1.5)] }))
      .track(4, range(101, 110, 3), () => ({ candidates: [c('cy', 1.5)] }));
    expect(clip.build().items.map((i) => i.meta.person)).toEqual(['ann', 'bob', null, null]);
  });

  it('top-k: k distinct persons by mean similarity over the track, only when enabled', () => {
    const clip = new Clip().track(1, [0, 5, 10], (k) => ({
      candidates: [
        [c('ann', 0.5, 'm1'), c('ann', 0.45, 'm2'), c('bob', 0.6), c('cy', 0.7), c('dee', 0.8), c('eve', 0.9)],
        [c('bob', 0.4), c('ann', 0.5), c('dee', 0.6), c('cy', 0.95), c('fay', 1.0)],
        [c('ann', 0.3), c('dee', 0.5), c('bob', 0.9), c('cy', 1.0), c('eve', 1.1)],
      ][k],
    }));
    // ann (0.45 + 0.5 + 0.3)/3 = 0.4167; bob (0.6 + 0.4 + 0.9)/3 = 0.6333; dee (0.8 + 0.6 + 0.5)/3 = 0.6333;
    // cy (0.7 + 0.95 + 1.0)/3 = 0.8833; eve (0.9 + 1.0 + 1.1)/3 = 1.0 (lower bound 1.0 for face 2).
    const k = clip.build({ enable_top_k: true, top_k: 4 }).items[0]!.meta.closest_k_persons!;
    expect(k.map((p) => p.person)).toEqual(['ann', 'bob', 'dee', 'cy']);
    expect(k.map((p) => p.similarity)).toEqual([1.25 / 3, 1.9 / 3, 1.9 / 3, 2.65 / 3].map((d) => round(similarityOf(d))));
    expect(clip.build({ enable_top_k: true, top_k: 1 }).items[0]!.meta.closest_k_persons).toEqual([{ person: 'ann', similarity: round(similarityOf(1.25 / 3)) }]);
    expect(clip.build().items[0]!.meta).not.toHaveProperty('closest_k_persons');
  });
});

describe('buildVideoResults: segments', () => {
  it('frames, times and drop-frame timecodes at 29.97', () => {
    const clip = new Clip(0, NTSC).track(1, range(1800, 1830, 6), () => ({ candidates: [c('ann', 0.2)] }));
    const [item] = clip.build().items;
    expect(item).toMatchObject({
      media_type: 'video',
      source: 'clip-0.mp4',
      module: 'face_recognition',
      frame_start: 1800,
      frame_end: 1830,
      time_start: Math.round((1800 / NTSC) * 1000) / 1000,
      time_end: Math.round((1830 / NTSC) * 1000) / 1000,
      tc_start: '00:01:00;02',
      tc_end: '00:01:01;02',
      meta: { class_id: null, indexed_identity: null },
    });
    expect(item!.time_start).toBeCloseTo(60.06, 3);
  });

  it('the SPEC example at 25 fps: frames 12–56', () => {
    const [item] = new Clip(0, 25).track(1, range(12, 56, 4)).build().items;
    expect(item).toMatchObject({ frame_start: 12, frame_end: 56, time_start: 0.48, time_end: 2.24, tc_start: '00:00:00:12', tc_end: '00:00:02:06' });
  });

  it('one face_bbox detection per face of the track, in frame order, normalised and clamped', () => {
    const clip = new Clip(0, 25, [1000, 500]).track(7, [30, 10, 20], (_, frame) => ({ x: frame === 30 ? 950 : frame * 10, size: 100 }));
    const { items } = clip.build();
    expect(items).toHaveLength(1);
    expect(items[0]!.detections).toEqual([
      { frame_index: 10, type: 'face_bbox', data: { x: 0.1, y: 0.1, w: 0.1, h: 0.2 } },
      { frame_index: 20, type: 'face_bbox', data: { x: 0.2, y: 0.1, w: 0.1, h: 0.2 } },
      { frame_index: 30, type: 'face_bbox', data: { x: 0.95, y: 0.1, w: 0.05, h: 0.2 } },
    ]);
    expect(items[0]).toMatchObject({ frame_start: 10, frame_end: 30 });
  });

  it('a track never embedded (too small): its thumbnail, the reason, and the label of unknowns without a cluster', () => {
    const clip = new Clip()
      .track(1, [0, 5, 10], (k) => ({ size: 20, embedding: null, thumbnail: k === 0 ? 'first-small' : k === 2 ? 'clearer-small' : null, landmarkScore: k === 2 ? 0.95 : 0.5 }))
      .track(2, [1, 5], () => ({ candidates: [c('ann', 0.4)] }))
      .track(3, [20, 25], () => ({ embedding: [7], candidates: [c('zed', 1.5)] }));
    for (const cluster_unknowns of [false, true]) {
      const { items, tracks } = clip.build({ enable_top_k: true, cluster_unknowns });
      const small = items.find((i) => i.detections[0]!.data.w === 0.02)!;
      expect(small.thumbnail.image).toBe('clearer-small');
      expect(small.meta).toEqual({
        person: null,
        class_id: null,
        closest_person: null,
        closest_k_persons: [],
        mean_distance: null,
        mean_similarity: null,
        indexed_identity: null,
        unidentified_reason: UNIDENTIFIED_TOO_POOR,
      });
      expect(tracks.find((t) => t.trackId === 1)).toMatchObject({ person: null, unknownLabel: null, bestThumbnail: 'clearer-small' });
      // Embedded tracks, named or not, have no reason; an embedded unknown is clustered.
      expect(startingAt(items, 1).meta).toMatchObject({ person: 'ann', unidentified_reason: null });
      expect(startingAt(items, 20).meta).toMatchObject({ person: cluster_unknowns ? 'Unknown #1' : null, closest_person: 'zed', unidentified_reason: null });
    }
  });

  it('thumbnail: the best-quality face of the track that has one', () => {
    const clip = new Clip().track(1, [0, 5, 10, 15], (k) => [
      { size: 60, thumbnail: 'small' },
      { size: 120, thumbnail: null }, // the best face, but no crop
      { size: 110, landmarkScore: 0.95, thumbnail: 'big-frontal' },
      { size: 130, landmarkScore: 0.5, thumbnail: 'big-profile' },
    ][k]!);
    const { items, tracks } = clip.build();
    expect(items[0]!.thumbnail).toEqual({ image: 'big-frontal', meta: {} });
    expect(tracks[0]!.bestThumbnail).toBe('big-frontal');
    const none = new Clip().track(1, [0, 5], () => ({ thumbnail: null })).build();
    expect(none.items[0]!.thumbnail.image).toBe('');
    expect(none.tracks[0]!.bestThumbnail).toBeNull();
  });

  it('orders items by time_start, then person (named, Unknown #n, unknown)', () => {
    const clip = new Clip()
      .track(1, [20, 30], () => ({ candidates: [c('zed', 0.2)] }))
      .track(2, [0, 10], () => ({ embedding: [50] }))
      .track(3, [20, 25], () => ({ embedding: null }))
      .track(4, [20, 40], () => ({ embedding: [90] }))
      .track(5, [20, 22], () => ({ candidates: [c('Adam', 0.3)] }))
      .track(6, [5, 8], () => ({ candidates: [c('bea', 0.3)] }));
    const { items } = clip.build({ cluster_unknowns: true });
    expect(items.map((i) => [i.frame_start, i.meta.person])).toEqual([
      [0, 'Unknown #1'],
      [5, 'bea'],
      [20, 'Adam'],
      [20, 'zed'],
      [20, 'Unknown #2'],
      [20, null],
    ]);
  });

  it('gives stable, distinct, UUID-shaped ids, distinct from other jobs and sources', () => {
    const clip = new Clip().track(1, [0, 5]).track(2, [3, 9]);
    const first = clip.build().items.map((i) => i.id);
    expect(clip.build().items.map((i) => i.id)).toEqual(first);
    expect(new Set(first).size).toBe(2);
    for (const id of first) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(clip.build({}, undefined, 'job-2').items.some((i) => first.includes(i.id))).toBe(false);
    const other = new Clip(1).track(1, [0, 5]).track(2, [3, 9]);
    expect(other.build().items.some((i) => first.includes(i.id))).toBe(false);
  });

  it('summarises each track for later stages', () => {
    const clip = new Clip(2)
      .track(4, [0, 5, 10], (k) => ({ embedding: k === 1 ? null : [k * 2, 1], candidates: [c('ann', 0.2)] }))
      .track(9, [3], () => ({ embedding: [7, 7] }));
    const { items, tracks } = clip.build();
    expect(tracks).toEqual<TrackSummary[]>([
      {
        sourceIndex: 2,
        trackId: 4,
        person: 'ann',
        unknownLabel: null,
        frames: [0, 5, 10],
        frameStart: 0,
        frameEnd: 10,
        embeddings: [
          [0, 1],
          [4, 1],
        ],
        meanEmbedding: [2, 1],
        bestThumbnail: 't4-f0',
        resultId: items.find((i) => i.frame_start === 0)!.id,
      },
      { sourceIndex: 2, trackId: 9, person: null, unknownLabel: null, frames: [3], frameStart: 3, frameEnd: 3, embeddings: [[7, 7]], meanEmbedding: [7, 7], bestThumbnail: 't9-f3', resultId: items.find((i) => i.frame_start === 3)!.id },
    ]);
  });

  it('makes each face without a track id a track of its own', () => {
    const clip = new Clip().track(null, [0, 5], (k) => ({ x: 100 + k }));
    const { items, tracks } = clip.build();
    expect(items.map((i) => [i.frame_start, i.frame_end, i.detections.length])).toEqual([
      [0, 0, 1],
      [5, 5, 1],
    ]);
    expect(tracks.map((t) => t.trackId)).toEqual([-1, -2]);
  });

  it('refuses a video source without a frame rate, and handles one without faces', () => {
    const source = { ...new Clip().track(1, [0]).source, info: { resolution: [10, 10] as [number, number] } };
    expect(() => buildVideoResults('j', params(), source, new Map(), gap)).toThrow(RangeError);
    expect(new Clip().build()).toEqual({ items: [], tracks: [] });
  });
});

describe('unknown tracks: Unknown #n', () => {
  it('without labels given, clusters the source’s own unknown tracks; overlapping tracks are never one person', () => {
    // Tracks 1 and 3 look alike (0, -0.05) and never overlap: one stranger. Track 2 (0.1) looks
    // like them too but is on screen with track 1: someone else. Track 4 is named.
    const clip = new Clip()
      .track(1, range(0, 50, 10), () => ({ embedding: [0] }))
      .track(2, range(30, 60, 10), () => ({ embedding: [0.1] }))
      .track(3, range(100, 120, 10), () => ({ embedding: [-0.05] }))
      .track(4, range(100, 120, 10), () => ({ candidates: [c('ann', 0.1)] }));
    const { items, tracks } = clip.build({ cluster_unknowns: true });
    expect(items.map((i) => [i.frame_start, i.meta.person])).toEqual([
      [0, 'Unknown #1'],
      [30, 'Unknown #2'],
      [100, 'ann'],
      [100, 'Unknown #1'],
    ]);
    expect(tracks.map((t) => [t.trackId, t.person, t.unknownLabel])).toEqual([
      [1, null, 'Unknown #1'],
      [2, null, 'Unknown #2'],
      [3, null, 'Unknown #1'],
      [4, 'ann', null],
    ]);
    // Without cluster_unknowns: person null.
    expect(clip.build().items.map((i) => i.meta.person)).toEqual([null, null, 'ann', null]);
  });

  it('job-wide: two sources clustered together, numbered by source then time, stable across runs', () => {
    // Strangers at 0 (A), 5 (B), 9 (C). Source 0 is given second but numbers first.
    const s1 = new Clip(1)
      .track(1, range(0, 40, 10), () => ({ embedding: [9] })) // C
      .track(2, range(20, 60, 10), (k) => ({ embedding: [k % 2 ? 0.1 : -0.1] })) // A
      .track(3, range(100, 130, 10), () => ({ embedding: [12] })); // D, only here
    const s0 = new Clip(0)
      .track(1, range(50, 80, 10), () => ({ embedding: [5] })) // B
      .track(2, range(60, 90, 10), () => ({ embedding: [0] })) // A
      .track(3, range(70, 75, 5), () => ({ embedding: [5.05] })) // looks like B, but on screen with B: someone else
      .track(4, range(95, 99, 2), () => ({ embedding: null })); // not embedded: no label
    const run = () => {
      const clips = [s1, s0];
      const first = clips.map((clip) => clip.build({ cluster_unknowns: true }, new Map()));
      const unknown = first.flatMap((r) => r.tracks.filter((t) => t.person === null));
      const labels = clusterUnknownTracks(unknown, 1, gap);
      return clips.map((clip) => {
        const mine = new Map(unknown.flatMap((t, i): [number, string][] => (t.sourceIndex === clip.index && labels[i] ? [[t.trackId, labels[i]]] : [])));
        return clip.build({ cluster_unknowns: true }, mine).items.map((i) => [i.frame_start, i.meta.person]);
      });
    };
    const [one, zero] = run();
    expect(zero).toEqual([
      [50, 'Unknown #1'], // B, first seen in source 0
      [60, 'Unknown #2'], // A
      [70, 'Unknown #3'], // B's look-alike, beside B
      [95, null],
    ]);
    expect(one).toEqual([
      [0, 'Unknown #4'], // C
      [20, 'Unknown #2'], // A again
      [100, 'Unknown #5'], // D
    ]);
    expect(run()).toEqual([one, zero]);
  });

  it('clusterUnknownTracks: units of images and videos together, null for units without embeddings', () => {
    const units = [
      { sourceIndex: 1, frameStart: 0, frameEnd: 0, embeddings: [[3]] }, // image, left face
      { sourceIndex: 1, frameStart: 0, frameEnd: 0, embeddings: [[3.1]] }, // image, same photo: another person
      { sourceIndex: 0, frameStart: 40, frameEnd: 80, embeddings: [[3.05], [2.9]] }, // video track
      { sourceIndex: 0, frameStart: 10, frameEnd: 20, embeddings: [] },
      { sourceIndex: 0, frameStart: 90, frameEnd: 95, embeddings: [[7]] },
    ];
    const labels = clusterUnknownTracks(units, 0.5, gap);
    expect(labels[3]).toBeNull();
    expect(labels[2]).toBe('Unknown #1');
    expect(labels[4]).toBe('Unknown #2');
    expect(labels[0]).not.toBe(labels[1]);
    // The video track joins one of the two photo faces (the nearer on mean: 3.1 → 0.125 vs 3 → 0.075).
    expect(labels[0]).toBe('Unknown #1');
    expect(labels[1]).toBe('Unknown #3');
    expect(clusterUnknownTracks([], 1, gap)).toEqual([]);
  });

  it('clusterUnknownTracks: complete linkage over mean distances between tracks', () => {
    // Mean distance between tracks: every pair of faces across them.
    const t = (frameStart: number, ...xs: number[]) => ({ sourceIndex: 0, frameStart, frameEnd: frameStart + 5, embeddings: xs.map((x) => [x]) });
    // {0, 2} vs {1}: mean 1 → within 1; {0, 2} vs {2.5}: mean 1.5 → not.
    expect(clusterUnknownTracks([t(0, 0, 2), t(10, 1)], 1, gap)).toEqual(['Unknown #1', 'Unknown #1']);
    expect(clusterUnknownTracks([t(0, 0, 2), t(10, 2.5)], 1, gap)).toEqual(['Unknown #1', 'Unknown #2']);
    // No chaining: 0 – 0.6 – 1.2.
    expect(clusterUnknownTracks([t(0, 0), t(10, 0.6), t(20, 1.2)], 1, gap)).toEqual(['Unknown #1', 'Unknown #1', 'Unknown #2']);
  });
});
