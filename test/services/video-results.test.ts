// Person units and video results on synthetic clips: track templates (quality-weighted, re-normalised),
// linking tracks into person units within a shot and across cuts, unembedded tracks continuing a
// unit, identity per unit on its template against a small gallery, max_distance, one person per
// moment, joined appearances, top-k, timecodes, detections, thumbnails, ordering, and job-wide
// Unknown #n labels (SPEC §1, §2; DESIGN "Faces").
import { describe, expect, it } from 'vitest';
import { similarityOf } from '../../libs/engine/calibration.js';
import { euclidean } from '../../libs/engine/distance.js';
import type { FaceObservation, FaceRecognitionParams, ObservationChunk, ResultItem } from '../../libs/jobs/types.js';
import { collectObservations, type ObservedSource } from '../../services/aggregator/observations.js';
import { personUnits, sourceTracks, templateOf, UNIT_LINKING } from '../../services/aggregator/person-units.js';
import { UNIDENTIFIED_TOO_POOR, type Candidate } from '../../services/aggregator/result-format.js';
import { buildVideoResults, clusterUnknownTracks, type TrackSummary, type VideoUnits } from '../../services/aggregator/video-results.js';

const NTSC = 30000 / 1001;

/** A unit vector in the plane at `deg` degrees (two such vectors θ apart are 2·sin(θ/2) apart). */
const dir = (deg: number): number[] => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0];
/** The angle whose unit vectors lie `d` apart. */
const angleFor = (d: number) => (2 * Math.asin(d / 2) * 180) / Math.PI;

interface FaceSpec {
  x?: number;
  size?: number;
  /** Embedding; null: not embedded. */
  embedding?: number[] | null;
  thumbnail?: string | null;
  landmarkScore?: number;
}

function params(over: Partial<FaceRecognitionParams> = {}): FaceRecognitionParams {
  return { models: ['people'], max_distance: 1, cluster_unknowns: false, index_unknowns: false, face_detection_scale: 600, enable_top_k: false, top_k: 3, ...over };
}

/** People of a gallery and their samples. */
type Gallery = Record<string, number[][]>;

/** The nearest identities of a vector, as the matcher answers them (one per sample, nearest first). */
function match(gallery: Gallery, v: ArrayLike<number>): Candidate[] {
  return Object.entries(gallery)
    .flatMap(([person, samples]) => samples.map((s, i) => ({ person, identityId: `id-${person}-${i}`, distance: euclidean(v, s) })))
    .sort((a, b) => a.distance - b.distance);
}

/** A video source under construction: faces added per track, shot cuts at given frames. */
class Clip {
  readonly frames = new Map<number, FaceObservation[]>();
  readonly cuts = new Set<number>();
  constructor(
    readonly index = 0,
    readonly fps = 25,
    readonly resolution: [number, number] = [1000, 500],
  ) {}

  /** Adds one face of `trackId` in each of `frames`; `spec(k)` describes the k-th. */
  track(trackId: number | null, frames: number[], spec: (k: number, frame: number) => FaceSpec = () => ({})): this {
    frames.forEach((frame, k) => {
      const s = spec(k, frame);
      const size = s.size ?? 112;
      const face: FaceObservation = {
        box: { x: s.x ?? 100 + (trackId ?? 0) * 150, y: 50, w: size, h: size },
        score: 0.9,
        landmarkScore: s.landmarkScore ?? 0.9,
        landmarks: [],
        embedding: s.embedding === undefined ? dir((trackId ?? 0) * 90) : s.embedding,
        thumbnail: s.thumbnail === undefined ? `t${trackId}-f${frame}` : s.thumbnail,
        trackId,
      };
      this.frames.set(frame, [...(this.frames.get(frame) ?? []), face]);
    });
    return this;
  }

  cut(frame: number): this {
    this.cuts.add(frame);
    return this;
  }

  get source(): ObservedSource {
    const frames = new Map([...this.frames].sort((a, b) => a[0] - b[0]));
    return { index: this.index, source: `clip-${this.index}.mp4`, mediaType: 'video', info: { resolution: this.resolution, fps: this.fps }, embeddingModel: 'faceplugin-fr512', frames, cuts: this.cuts };
  }

  /** The person units and their template matches, as the aggregator forms them. */
  units(gallery: Gallery = {}): VideoUnits {
    const [width, height] = this.resolution;
    const units = personUnits(sourceTracks(this.source), { fps: this.fps, width, height }, euclidean);
    return { units, candidates: new Map(units.filter((u) => u.template).map((u) => [u.id, match(gallery, u.template!)])) };
  }

  build(gallery: Gallery = {}, over: Partial<FaceRecognitionParams> = {}, unknownLabels?: ReadonlyMap<number, string>, jobId = 'job-1') {
    const built = buildVideoResults(jobId, params(over), this.source, this.units(gallery), euclidean, unknownLabels);
    // Items are made when read: reading twice makes the same items; `persons` are their labels.
    const items = [...built.items];
    expect([...built.items]).toEqual(items);
    expect(built.items.length).toBe(items.length);
    expect(built.persons).toEqual(items.map((i) => i.meta.person));
    return { items, tracks: built.tracks };
  }
}

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step);

const round = (v: number) => Math.round(v * 10_000) / 10_000;

/** The item whose first face is at `frame` (one expected). */
function startingAt(items: ResultItem[], frame: number): ResultItem {
  const found = items.filter((i) => i.frame_start === frame);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('person units', () => {
  it('a track’s template is the quality-weighted mean of its faces’ unit vectors, re-normalised', () => {
    // Quality = landmark score × detector score × size (side / 112): 0.81 for a 112 px face, 0.81 × 28/112 for a 28 px one.
    const clip = new Clip().track(1, [0, 5], (k) => (k === 0 ? { embedding: [1, 0, 0] } : { embedding: [0, 1, 0], size: 28 }));
    const [track] = sourceTracks(clip.source);
    const w = [0.81, 0.81 * 0.25];
    const n = Math.hypot(w[0]!, w[1]!);
    expect(Array.from(track!.template!, round)).toEqual([w[0]! / n, w[1]! / n, 0].map(round));
    // Unembedded faces do not count; no embedded face, no template.
    expect(templateOf([{ frameIndex: 0, face: { ...clip.frames.get(0)![0]!, embedding: null } }], 1000, 500)).toBeNull();
  });

  it('keeps the faces’ mean length for an embedder whose vectors are not unit length', () => {
    const clip = new Clip().track(1, [0, 5], (k) => ({ embedding: k === 0 ? [0.6, 0, 0] : [0, 0.6, 0] }));
    expect(Math.hypot(...sourceTracks(clip.source)[0]!.template!)).toBeCloseTo(0.6, 6);
  });

  it('links tracks of one person within a shot, and across a cut only under the stricter bar', () => {
    const between = angleFor((UNIT_LINKING.withinShot + UNIT_LINKING.acrossCuts) / 2); // within one bar, beyond the other
    const withinShot = new Clip().track(1, range(0, 20, 5), () => ({ embedding: dir(0) })).track(2, range(100, 120, 5), () => ({ embedding: dir(between) }));
    expect(withinShot.units().units.map((u) => u.tracks.map((t) => t.trackId))).toEqual([[1, 2]]);
    const acrossCut = new Clip().track(1, range(0, 20, 5), () => ({ embedding: dir(0) })).track(2, range(100, 120, 5), () => ({ embedding: dir(between) })).cut(100);
    expect(acrossCut.units().units.map((u) => u.tracks.map((t) => t.trackId))).toEqual([[1], [2]]);
    const near = angleFor(UNIT_LINKING.acrossCuts * 0.9);
    const sameAcrossCut = new Clip().track(1, range(0, 20, 5), () => ({ embedding: dir(0) })).track(2, range(100, 120, 5), () => ({ embedding: dir(near) })).cut(100);
    expect(sameAcrossCut.units().units.map((u) => u.tracks.map((t) => t.trackId))).toEqual([[1, 2]]);
  });

  it('links tracks seen only in profile or blurred within a shot, never across a cut', () => {
    const blurred = (cut: boolean) => {
      const clip = new Clip().track(1, range(0, 20, 5), () => ({ embedding: dir(0), landmarkScore: 0.5 })).track(2, range(100, 120, 5), () => ({ embedding: dir(1), landmarkScore: 0.5 }));
      return (cut ? clip.cut(100) : clip).units().units.length;
    };
    expect(blurred(false)).toBe(1);
    expect(blurred(true)).toBe(2);
  });

  it('never links tracks on screen together, and never chains look-alikes (complete linkage)', () => {
    const together = new Clip().track(1, range(0, 20, 5), () => ({ embedding: dir(0) })).track(2, range(20, 40, 5), () => ({ embedding: dir(1) }));
    expect(together.units().units).toHaveLength(2);
    // 1 – 2 and 2 – 3 within the bar, 1 – 3 beyond it: 2 joins one of them, never both.
    const step = angleFor(UNIT_LINKING.withinShot * 0.6);
    const chain = new Clip()
      .track(1, range(0, 10, 5), () => ({ embedding: dir(0) }))
      .track(2, range(50, 60, 5), () => ({ embedding: dir(step) }))
      .track(3, range(100, 110, 5), () => ({ embedding: dir(2 * step) }));
    expect(chain.units().units.map((u) => u.tracks.map((t) => t.trackId))).toEqual([[1, 2], [3]]);
  });

  it('a track with no embedded face joins the unit whose track it continues in the same shot', () => {
    const clip = new Clip()
      .track(1, range(0, 20, 5), () => ({ x: 100 }))
      .track(2, range(30, 50, 5), () => ({ x: 120, embedding: null })) // continues track 1 (10 frames later, 20 px on)
      .track(3, range(30, 50, 5), () => ({ x: 700, embedding: null })) // elsewhere in the frame
      .track(4, range(100, 110, 5), () => ({ x: 100, embedding: null })) // after a gap of 80 frames (3.2 s)
      .track(5, range(60, 70, 5), () => ({ x: 120, embedding: null })) // after a cut
      .cut(60);
    const units = clip.units().units.map((u) => u.tracks.map((t) => t.trackId));
    expect(units).toContainEqual([1, 2]);
    for (const alone of [3, 4, 5]) expect(units).toContainEqual([alone]);
  });

  it('a long video linked block by block, then across blocks, forms the same units as one pass over every pair', () => {
    // Twelve shots; in each a person of three (a little different shot to shot), in even shots a
    // second one beside them at the same time, in every fourth a profile track that may link only
    // within its shot (here close to each other and to no one else); in shot 5 the first person seen
    // again after the tracker lost them. (Where a profile track is as close to a person in its
    // shot as that person is to themselves across cuts, the order of merges decides, and blocks
    // may decide it the other way.)
    const clip = new Clip();
    let id = 1;
    for (let shot = 0; shot < 12; shot++) {
      const at = shot * 100;
      if (shot > 0) clip.cut(at);
      const person = shot % 3;
      clip.track(id++, range(at, at + 20, 5), () => ({ x: 100, embedding: dir(person * 120 + shot) }));
      if (shot % 2 === 0) clip.track(id++, range(at + 5, at + 30, 5), () => ({ x: 600, embedding: dir(((person + 1) % 3) * 120 - shot) }));
      if (shot % 4 === 0) clip.track(id++, range(at + 40, at + 50, 5), () => ({ x: 300, landmarkScore: 0.5, embedding: dir(60 + shot) }));
      if (shot === 5) clip.track(id++, range(at + 40, at + 60, 5), () => ({ x: 110, embedding: dir(person * 120 + 2) }));
    }
    const [width, height] = clip.resolution;
    const unitsWith = (blockTracks: number) =>
      personUnits(sourceTracks(clip.source), { fps: clip.fps, width, height }, euclidean, UNIT_LINKING, blockTracks).map((u) => ({ id: u.id, tracks: u.tracks.map((t) => t.trackId), template: Array.from(u.template ?? []) }));
    const whole = unitsWith(1000);
    // Three people across the shots; the profile tracks, close to each other, never link across cuts.
    expect(whole.filter((u) => u.tracks.length > 1)).toHaveLength(3);
    for (const blockTracks of [2, 3, 5]) {
      const blocked = unitsWith(blockTracks);
      expect(blocked.map((u) => [u.id, u.tracks])).toEqual(whole.map((u) => [u.id, u.tracks]));
      blocked.forEach((u, i) => u.template.forEach((v, k) => expect(v).toBeCloseTo(whole[i]!.template[k]!, 6)));
    }
  });
});

describe('buildVideoResults: identity per person unit', () => {
  it('names a unit by its template: faces each too far alone, pooled near the person', () => {
    // Every face lies 40° off ann (distance 0.68) on alternating sides: their mean points at her.
    const clip = new Clip().track(1, range(0, 40, 10), (k) => ({ embedding: dir(k % 2 ? 40 : -40) }));
    const gallery = { ann: [dir(0)], bob: [dir(120)] };
    const { items } = clip.build(gallery, { max_distance: 0.5 });
    expect(items).toHaveLength(1);
    // Five faces, three at −40° and two at +40°: the template is 8° or so off ann, the distance reported is its own.
    const [unit] = clip.units(gallery).units;
    const d = round(euclidean(unit!.template!, dir(0)));
    expect(d).toBeLessThan(0.2);
    expect(items[0]!.meta).toMatchObject({ person: 'ann', closest_person: null, mean_distance: d, mean_similarity: round(similarityOf(d)), unidentified_reason: null });
  });

  it('decides once for all tracks of a unit, and reports each continuous appearance as an item', () => {
    // Tracks 1 and 2 are one person (same face, a cut between); track 3, 1 s after track 1, is joined to it.
    const clip = new Clip()
      .track(1, range(0, 50, 10), () => ({ embedding: dir(0) }))
      .track(3, range(75, 90, 5), () => ({ embedding: dir(2) }))
      .track(2, range(300, 320, 10), () => ({ embedding: dir(1) }))
      .cut(300);
    const { items, tracks } = clip.build({ ann: [dir(30)] });
    expect(items.map((i) => [i.frame_start, i.frame_end, i.meta.person])).toEqual([
      [0, 90, 'ann'],
      [300, 320, 'ann'],
    ]);
    expect(items[0]!.detections).toHaveLength(range(0, 50, 10).length + range(75, 90, 5).length);
    expect(new Set(items.map((i) => i.meta.mean_distance)).size).toBe(1);
    expect(new Set(tracks.map((t) => t.unitId)).size).toBe(1);
  });

  it('joins the appearances of one named person even when two units carry the name (never linked, never on screen together)', () => {
    // Tracks 1 and 3 look alike; track 2 between them does not look like them (80° apart), yet all are nearest ann.
    const clip = new Clip()
      .track(1, range(0, 10, 5), () => ({ embedding: dir(0) }))
      .track(2, range(20, 30, 5), () => ({ embedding: dir(80) }))
      .track(3, range(40, 50, 5), () => ({ embedding: dir(1) }));
    const gallery = { ann: [dir(40)], bob: [dir(200)] };
    expect(clip.units(gallery).units).toHaveLength(2);
    const { items } = clip.build(gallery);
    expect(items.map((i) => [i.frame_start, i.frame_end, i.meta.person])).toEqual([[0, 50, 'ann']]);
    // Without a name the units stay apart.
    expect(clip.build({ bob: [dir(200)] }, { cluster_unknowns: true }).items.map((i) => [i.frame_start, i.frame_end])).toEqual([
      [0, 50],
      [20, 30],
    ]);
  });

  it('accepts a template distance equal to max_distance and rejects one just above it', () => {
    const clip = new Clip().track(1, [0, 5], () => ({ embedding: dir(0) }));
    const at = (d: number) => ({ ann: [dir(angleFor(d))] });
    const accepted = clip.build(at(0.6), { max_distance: euclidean(dir(0), dir(angleFor(0.6))) }).items[0]!.meta;
    expect(accepted.person).toBe('ann');
    const rejected = clip.build(at(0.6001), { max_distance: 0.6 }).items[0]!.meta;
    expect(rejected).toMatchObject({ person: null, closest_person: 'ann', mean_distance: 0.6001 });
  });

  it('never gives one person to two units on screen at the same time: the nearer gets it', () => {
    const clip = new Clip()
      .track(1, range(0, 100, 10), () => ({ embedding: dir(0) }))
      .track(2, range(50, 150, 10), () => ({ embedding: dir(90) }));
    const gallery = { ann: [dir(30)], bob: [dir(-40)] }; // track 1: ann 0.518, bob 0.684; track 2: ann 1.0
    const { items } = clip.build(gallery);
    expect(startingAt(items, 0).meta).toMatchObject({ person: 'ann' });
    expect(startingAt(items, 50).meta).toMatchObject({ person: null, closest_person: 'ann', mean_distance: round(euclidean(dir(90), dir(30))) });
    // Nearer to ann than track 1, track 2 takes her; track 1 falls to its runner-up.
    const nearer = clip.build({ ann: [dir(80)], bob: [dir(-40)] });
    expect(startingAt(nearer.items, 50).meta.person).toBe('ann');
    expect(startingAt(nearer.items, 0).meta.person).toBe('bob');
  });

  it('a track never embedded takes its unit’s name; alone it gets the reason and no name', () => {
    const clip = new Clip()
      .track(1, range(0, 20, 5), () => ({ x: 100 }))
      .track(2, range(30, 50, 5), () => ({ x: 110, embedding: null, size: 80 }))
      .track(3, range(30, 50, 5), () => ({ x: 700, embedding: null, size: 30 }));
    const { items } = clip.build({ ann: [dir(91)] }, { enable_top_k: true, cluster_unknowns: true });
    expect(items.filter((i) => i.meta.person === 'ann').map((i) => i.frame_start)).toEqual([0]);
    // Track 2 (10 frames after track 1) is joined into its appearance.
    expect(startingAt(items, 0).frame_end).toBe(50);
    expect(startingAt(items, 30).meta).toEqual({
      person: null,
      class_id: null,
      closest_person: null,
      closest_k_persons: [],
      mean_distance: null,
      mean_similarity: null,
      indexed_identity: null,
      unidentified_reason: UNIDENTIFIED_TOO_POOR,
    });
  });

  it('does not name a unit seen only in profile or blurred (landmark score at its floor)', () => {
    const profile = new Clip().track(1, range(0, 20, 5), () => ({ landmarkScore: 0.5 }));
    expect(profile.build({ ann: [dir(95)] }).items[0]!.meta).toMatchObject({ person: null, closest_person: 'ann', unidentified_reason: null });
    const oneGoodFace = new Clip().track(1, range(0, 20, 5), (k) => ({ landmarkScore: k === 2 ? 0.8 : 0.5 }));
    expect(oneGoodFace.build({ ann: [dir(95)] }).items[0]!.meta.person).toBe('ann');
  });

  it('top-k: k distinct persons by the template’s distance, only when enabled', () => {
    const clip = new Clip().track(1, [0, 5], () => ({ embedding: dir(0) }));
    const gallery = { ann: [dir(10), dir(50)], bob: [dir(30)], cy: [dir(60)], dee: [dir(90)] };
    const k = clip.build(gallery, { enable_top_k: true, top_k: 3 }).items[0]!.meta.closest_k_persons!;
    expect(k.map((p) => p.person)).toEqual(['ann', 'bob', 'cy']);
    expect(k[0]!.similarity).toBe(round(similarityOf(euclidean(dir(0), dir(10)))));
    expect(clip.build(gallery).items[0]!.meta).not.toHaveProperty('closest_k_persons');
  });
});

describe('buildVideoResults: segments', () => {
  it('frames, times and drop-frame timecodes at 29.97', () => {
    const clip = new Clip(0, NTSC).track(1, range(1800, 1830, 6));
    const [item] = clip.build({ ann: [dir(90)] }).items;
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
      meta: { person: 'ann', class_id: null, indexed_identity: null },
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

  it('thumbnail: the best-quality face of the appearance that has one', () => {
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

  it('the same results from the tracks as the aggregator folds them while reading (one thumbnail per track, embeddings in template sums)', async () => {
    // Two tracks of one person joined into one appearance (their best thumbnails tie: the earlier
    // track's wins), a third person, qualities varying face by face. Embeddings in 32-bit floats,
    // as the embedder makes them (the aggregator holds a video's in a Float32Array).
    const f32 = (v: number[]) => v.map(Math.fround);
    const clip = new Clip()
      .track(1, range(0, 40, 5), (k) => ({ size: 60 + ((k * 37) % 50), embedding: k % 3 === 0 ? f32(dir(k)) : null, thumbnail: k % 2 === 0 ? `a${k}` : null }))
      .track(2, range(60, 90, 5), (k) => ({ size: k === 2 ? 109 : 70, embedding: k === 0 ? f32(dir(3)) : null, thumbnail: `b${k}` }))
      .track(3, range(0, 90, 10), (k) => ({ size: 80 + k, landmarkScore: 0.7 + k / 100, embedding: f32(dir(90 + k)), thumbnail: k % 4 === 0 ? `c${k}` : null }));
    const source = clip.source;
    const chunks: ObservationChunk[] = [
      { kind: 'source-start', sourceIndex: 0, source: source.source, mediaType: 'video', info: source.info, embeddingModel: source.embeddingModel },
      { kind: 'frames', sourceIndex: 0, frames: structuredClone([...clip.frames].sort((a, b) => a[0] - b[0]).map(([index, faces]) => ({ index, faces }))) },
      { kind: 'source-end', sourceIndex: 0 },
    ];
    const [thinned] = (await collectObservations((async function* () { yield* chunks; })(), [source.source])).sources;
    expect(thinned!.tracks!.map((t) => t.thumbnail?.image)).toEqual(['a4', 'c8', 'b2']);
    const resultsOf = (s: ObservedSource) => {
      const [width, height] = s.info.resolution;
      const units = personUnits(sourceTracks(s), { fps: s.info.fps!, width, height }, euclidean);
      const video = { units, candidates: new Map(units.filter((u) => u.template).map((u) => [u.id, match({ ann: [dir(2)], bob: [dir(95)] }, u.template!)])) };
      const { items, tracks } = buildVideoResults('job-1', params({ cluster_unknowns: true, enable_top_k: true }), s, video, euclidean);
      return { items: [...items], tracks: tracks.map((t) => ({ ...t, embeddings: t.embeddings.map((e) => Array.from(e)) })) };
    };
    expect(resultsOf(thinned!)).toEqual(resultsOf(source));
  });

  it('orders items by time_start, then person (named, Unknown #n, unknown)', () => {
    const gallery = { zed: [dir(0)], Adam: [dir(180)], bea: [dir(270)] };
    const clip = new Clip()
      .track(1, [20, 30], () => ({ embedding: dir(0) }))
      .track(2, [0, 10], () => ({ embedding: dir(90) }))
      .track(3, [20, 25], () => ({ embedding: null, x: 700 }))
      .track(4, [20, 40], () => ({ embedding: [0, 0, 1] }))
      .track(5, [20, 22], () => ({ embedding: dir(180) }))
      .track(6, [5, 8], () => ({ embedding: dir(270), x: 400 }));
    const { items } = clip.build(gallery, { cluster_unknowns: true, max_distance: 0.5 });
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
    expect(clip.build({}, {}, undefined, 'job-2').items.some((i) => first.includes(i.id))).toBe(false);
    const other = new Clip(1).track(1, [0, 5]).track(2, [3, 9]);
    expect(other.build().items.some((i) => first.includes(i.id))).toBe(false);
  });

  it('summarises each appearance for later stages', () => {
    const clip = new Clip(2)
      .track(4, [0, 5, 10], (k) => ({ embedding: k === 1 ? null : [0, 1, 0] }))
      .track(9, [3], () => ({ embedding: [1, 0, 0] }));
    const { items, tracks } = clip.build({ ann: [[0, 1, 0]] });
    // Embeddings as the tracks kept them (32-bit floats), compared as numbers.
    expect(tracks.map((t) => ({ ...t, embeddings: t.embeddings.map((e) => Array.from(e)) }))).toEqual<TrackSummary[]>([
      {
        sourceIndex: 2,
        trackId: 4,
        unitId: 0,
        person: 'ann',
        unknownLabel: null,
        frameStart: 0,
        frameEnd: 10,
        embeddings: [
          [0, 1, 0],
          [0, 1, 0],
        ],
        bestThumbnail: 't4-f0',
        resultId: items.find((i) => i.frame_start === 0)!.id,
      },
      { sourceIndex: 2, trackId: 9, unitId: 1, person: null, unknownLabel: null, frameStart: 3, frameEnd: 3, embeddings: [[1, 0, 0]], bestThumbnail: 't9-f3', resultId: items.find((i) => i.frame_start === 3)!.id },
    ]);
  });

  it('makes each face without a track id a track of its own', () => {
    const clip = new Clip().track(null, [0, 5], (k) => ({ x: 100 + k * 500, embedding: dir(k * 120) }));
    const { items, tracks } = clip.build();
    expect(items.map((i) => [i.frame_start, i.frame_end, i.detections.length])).toEqual([
      [0, 0, 1],
      [5, 5, 1],
    ]);
    expect(tracks.map((t) => t.trackId)).toEqual([-1, -2]);
  });

  it('refuses a video source without a frame rate, and handles one without faces', () => {
    const source = { ...new Clip().track(1, [0]).source, info: { resolution: [10, 10] as [number, number] } };
    expect(() => buildVideoResults('j', params(), source, { units: [], candidates: new Map() }, euclidean)).toThrow(RangeError);
    expect(new Clip().build()).toEqual({ items: [], tracks: [] });
  });
});

describe('unknown persons: Unknown #n', () => {
  it('one label per unknown unit of the source; units on screen together are different people', () => {
    // Tracks 1 and 3 are one stranger (same face, 2 s apart); track 2, on screen with track 1, is another.
    const clip = new Clip()
      .track(1, range(0, 50, 10), () => ({ embedding: dir(0) }))
      .track(2, range(30, 60, 10), () => ({ embedding: dir(5) }))
      .track(3, range(110, 120, 10), () => ({ embedding: dir(-2) }))
      .track(4, range(110, 120, 10), () => ({ embedding: dir(200) }));
    const { items, tracks } = clip.build({ ann: [dir(200)] }, { cluster_unknowns: true });
    expect(items.map((i) => [i.frame_start, i.meta.person])).toEqual([
      [0, 'Unknown #1'],
      [30, 'Unknown #2'],
      [110, 'ann'],
      [110, 'Unknown #1'],
    ]);
    expect(tracks.map((t) => [t.trackId, t.person, t.unknownLabel])).toEqual([
      [1, null, 'Unknown #1'],
      [2, null, 'Unknown #2'],
      [3, null, 'Unknown #1'],
      [4, 'ann', null],
    ]);
    expect(clip.build({ ann: [dir(200)] }).items.map((i) => i.meta.person)).toEqual([null, null, 'ann', null]);
  });

  it('clusterUnknownTracks: units of several sources together, never two of one source', () => {
    const v = (d: number) => [dir(d)];
    const units = [
      { sourceIndex: 1, frameStart: 0, frameEnd: 0, embeddings: v(0) }, // image, left face
      { sourceIndex: 1, frameStart: 0, frameEnd: 0, embeddings: v(3) }, // the same photo: another person
      { sourceIndex: 0, frameStart: 40, frameEnd: 80, embeddings: v(1) }, // a video unit
      { sourceIndex: 0, frameStart: 10, frameEnd: 20, embeddings: [] },
      { sourceIndex: 0, frameStart: 90, frameEnd: 95, embeddings: v(2) }, // the same video: another unit, not merged with the first
      { sourceIndex: 2, frameStart: 5, frameEnd: 9, embeddings: v(150) },
    ];
    // Numbered by source, then time: the video's units first (#1, #2); each photo face joins one of them.
    const labels = clusterUnknownTracks(units, 0.5, euclidean);
    expect(labels).toEqual(['Unknown #1', 'Unknown #2', 'Unknown #1', null, 'Unknown #2', 'Unknown #3']);
    expect(clusterUnknownTracks([], 1, euclidean)).toEqual([]);
  });

  it('clusterUnknownTracks: complete linkage over mean distances, no chaining', () => {
    const t = (source: number, ...deg: number[]) => ({ sourceIndex: source, frameStart: 0, frameEnd: 5, embeddings: deg.map(dir) });
    const bar = euclidean(dir(0), dir(40));
    expect(clusterUnknownTracks([t(0, 0), t(1, 35), t(2, 70)], bar, euclidean)).toEqual(['Unknown #1', 'Unknown #1', 'Unknown #2']);
    expect(clusterUnknownTracks([t(0, -10, 10), t(1, 0)], euclidean(dir(0), dir(10)) + 1e-9, euclidean)).toEqual(['Unknown #1', 'Unknown #1']);
  });
});
