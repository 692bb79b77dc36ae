// buildImageResults / listFaces on small synthetic sources: who gets which person, thresholds,
// top-k, unknown clustering and labels, boxes, ids and ordering (SPEC §1, §2).
import { describe, expect, it } from 'vitest';
import { similarityOf } from '../../libs/engine/calibration.js';
import type { FaceObservation, FaceRecognitionParams, ResultItem } from '../../libs/jobs/types.js';
import { buildImageResults, listFaces, type Candidate } from '../../services/aggregator/image-results.js';
import type { ObservedSource } from '../../services/aggregator/observations.js';

/** A face at x (pixels), with a 1-D embedding (its "identity") unless given null. */
function face(x: number, embedding: number[] | null = [x], box: Partial<FaceObservation['box']> = {}): FaceObservation {
  return { box: { x, y: 10, w: 20, h: 20, ...box }, score: 0.9, landmarkScore: 0.9, landmarks: [], embedding, thumbnail: `thumb-${x}`, trackId: null };
}

function source(index: number, faces: FaceObservation[], resolution: [number, number] = [200, 100], frameIndex = 0): ObservedSource {
  return { index, source: `photo-${index}.jpg`, mediaType: 'image', info: { resolution }, embeddingModel: 'dlib-resnet', frames: new Map([[frameIndex, faces]]) };
}

function params(over: Partial<FaceRecognitionParams> = {}): FaceRecognitionParams {
  return { models: ['people'], max_distance: 1, cluster_unknowns: false, index_unknowns: false, face_detection_scale: 600, enable_top_k: false, top_k: 3, ...over };
}

const c = (person: string, distance: number, identityId = `id-${person}`): Candidate => ({ person, identityId, distance });

/** 1-D embedding distance. */
const gap = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.abs(a[0]! - b[0]!);

/** Builds for sources whose faces (in listFaces order) have `candidates`. */
function build(sources: ObservedSource[], candidates: Candidate[][], over: Partial<FaceRecognitionParams> = {}, jobId = 'job-1') {
  return buildImageResults(jobId, params(over), sources, listFaces(sources), candidates, gap);
}

/** The item of the face whose box starts at x (pixels) in a source `width` wide. */
function at(items: ResultItem[], x: number, width = 200, sourceName?: string): ResultItem {
  const found = items.filter((i) => Math.abs(i.detections[0]!.data.x - x / width) < 1e-9 && (sourceName === undefined || i.source === sourceName));
  expect(found).toHaveLength(1);
  return found[0]!;
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;

describe('listFaces', () => {
  it('lists faces by source, frame, then left to right', () => {
    const s0: ObservedSource = {
      ...source(0, []),
      frames: new Map([
        [0, [face(50), face(10)]],
        [4, [face(5)]],
      ]),
    };
    const s1 = source(1, [face(70), face(30)]);
    expect(listFaces([s0, s1]).map((f) => [f.source.index, f.frameIndex, f.face.box.x])).toEqual([
      [0, 0, 10],
      [0, 0, 50],
      [0, 4, 5],
      [1, 0, 30],
      [1, 0, 70],
    ]);
  });

  it('does not reorder the source frames it is given', () => {
    const faces = [face(50), face(10)];
    listFaces([source(0, faces)]);
    expect(faces.map((f) => f.box.x)).toEqual([50, 10]);
  });
});

describe('buildImageResults', () => {
  describe('a person is given to one face of an image at most', () => {
    it('the nearer face gets the person, the other its runner-up when within max_distance', () => {
      // Faces at x=10 (A) and x=100 (B); both look most like obama, B more so.
      const { items } = build([source(0, [face(10), face(100)])], [[c('obama', 0.4), c('biden', 0.8)], [c('obama', 0.3), c('kit', 0.9)]]);
      expect(at(items, 100).meta).toMatchObject({ person: 'obama', closest_person: null, mean_distance: 0.3 });
      expect(at(items, 10).meta).toMatchObject({ person: 'biden', closest_person: null, mean_distance: 0.8 });
      expect(at(items, 10).meta.mean_similarity).toBe(round(similarityOf(0.8)));
    });

    it('without a runner-up within max_distance the other face stays unknown, closest_person set', () => {
      const { items, summary } = build([source(0, [face(10), face(100)])], [[c('obama', 0.4), c('biden', 1.2)], [c('obama', 0.3)]]);
      expect(at(items, 100).meta.person).toBe('obama');
      expect(at(items, 10).meta).toMatchObject({ person: null, closest_person: 'obama', mean_distance: 0.4, mean_similarity: round(similarityOf(0.4)) });
      expect(summary[0]!.items.map((i) => i.label)).toEqual(['obama', 'Unknown']);
    });

    it('the same person may be in two different images', () => {
      const { items } = build([source(0, [face(10)]), source(1, [face(10)])], [[c('obama', 0.4)], [c('obama', 0.3)]]);
      expect(items.map((i) => [i.source, i.meta.person])).toEqual([
        ['photo-0.jpg', 'obama'],
        ['photo-1.jpg', 'obama'],
      ]);
    });

    it('a name in two galleries is one person', () => {
      const { items } = build(
        [source(0, [face(10), face(100)])],
        [
          [c('obama', 0.3, 'id-a'), c('biden', 0.7)],
          [c('obama', 0.2, 'id-b'), c('kit', 0.95)],
        ],
      );
      expect(at(items, 100).meta.person).toBe('obama');
      expect(at(items, 10).meta.person).toBe('biden');
    });
  });

  it('respects max_distance exactly at the boundary', () => {
    const sources = [source(0, [face(10), face(60), face(110)])];
    const candidates = [[c('a', 0.6)], [c('b', 0.6001)], [c('c', 0.5999)]];
    const { items } = build(sources, candidates, { max_distance: 0.6 });
    expect(at(items, 10).meta.person).toBe('a'); // distance == max_distance: accepted
    expect(at(items, 60).meta).toMatchObject({ person: null, closest_person: 'b', mean_distance: 0.6001 });
    expect(at(items, 110).meta.person).toBe('c');
    // A runner-up exactly at the boundary is accepted too.
    const taken = build([source(0, [face(10), face(60)])], [[c('a', 0.1)], [c('a', 0.2), c('b', 0.6)]], { max_distance: 0.6 });
    expect(at(taken.items, 60).meta.person).toBe('b');
  });

  describe('top-k', () => {
    it('lists k distinct persons in similarity order; a name from two models counts once, at its nearest', () => {
      const candidates = [[c('obama', 0.3, 'm1'), c('obama', 0.35, 'm2'), c('biden', 0.5), c('kit', 0.7), c('rose', 0.9)]];
      const { items } = build([source(0, [face(10)])], candidates, { enable_top_k: true, top_k: 3 });
      const k = items[0]!.meta.closest_k_persons!;
      expect(k.map((p) => p.person)).toEqual(['obama', 'biden', 'kit']);
      expect(k.map((p) => p.similarity)).toEqual([0.3, 0.5, 0.7].map((d) => round(similarityOf(d))));
      expect([...k].sort((a, b) => b.similarity - a.similarity)).toEqual(k);
    });

    it('lists fewer when fewer persons are known, and is left out unless enabled', () => {
      const candidates = [[c('obama', 0.3, 'm1'), c('obama', 0.4, 'm2')]];
      const on = build([source(0, [face(10)])], candidates, { enable_top_k: true, top_k: 5 });
      expect(on.items[0]!.meta.closest_k_persons).toEqual([{ person: 'obama', similarity: round(similarityOf(0.3)) }]);
      const off = build([source(0, [face(10)])], candidates);
      expect(off.items[0]!.meta).not.toHaveProperty('closest_k_persons');
    });

    it('includes persons beyond max_distance (they are the nearest, not matches)', () => {
      const { items } = build([source(0, [face(10)])], [[c('far', 1.5)]], { enable_top_k: true, top_k: 2 });
      expect(items[0]!.meta.person).toBeNull();
      expect(items[0]!.meta.closest_k_persons).toEqual([{ person: 'far', similarity: round(similarityOf(1.5)) }]);
    });
  });

  describe('unknown faces', () => {
    it('cluster_unknowns: "Unknown #n" numbered by first appearance across sources; summaries list distinct labels', () => {
      // Embeddings 0 and 5 are two strangers; 20 a third who appears only in the second photo.
      const sources = [source(0, [face(10, [5]), face(60, [0]), face(110, [5.2])]), source(1, [face(10, [0.1]), face(60, [20]), face(110, [4.9])])];
      const { items, summary } = build(sources, sources.flatMap((s) => [...s.frames.values()].flat().map(() => [])), { cluster_unknowns: true });
      // Source 0 left to right: the stranger at 5 is seen first → #1, the one at 0 → #2.
      expect(at(items, 10, 200, 'photo-0.jpg').meta.person).toBe('Unknown #1');
      expect(at(items, 60, 200, 'photo-0.jpg').meta.person).toBe('Unknown #2');
      // 5.2 is in the same image as 5: a different person, however alike.
      expect(at(items, 110, 200, 'photo-0.jpg').meta.person).toBe('Unknown #3');
      expect(at(items, 10, 200, 'photo-1.jpg').meta.person).toBe('Unknown #2');
      expect(at(items, 60, 200, 'photo-1.jpg').meta.person).toBe('Unknown #4');
      // Source 1: 0.1 is the stranger at 0 (#2), 4.9 the one at 5 (#1), 20 someone new (#4).
      expect(at(items, 110, 200, 'photo-1.jpg').meta.person).toBe('Unknown #1');
      expect(summary.map((s) => s.items.map((i) => i.label))).toEqual([
        ['Unknown #1', 'Unknown #2', 'Unknown #3'],
        ['Unknown #1', 'Unknown #2', 'Unknown #4'],
      ]);
      expect(new Set(summary[1]!.items.map((i) => i.label)).size).toBe(summary[1]!.items.length);
      for (const s of summary) expect(s.items.every((i) => i.type === 'face' && i.module === 'face_recognition')).toBe(true);
    });

    it('cluster_unknowns: a named face is not clustered, and the same stranger twice gets one label', () => {
      const sources = [source(0, [face(10, [0]), face(60, [7])]), source(1, [face(10, [0.3])])];
      const { items, summary } = build(sources, [[], [c('obama', 0.2)], []], { cluster_unknowns: true });
      expect(items.map((i) => [i.source, i.meta.person])).toEqual([
        ['photo-0.jpg', 'obama'],
        ['photo-0.jpg', 'Unknown #1'],
        ['photo-1.jpg', 'Unknown #1'],
      ]);
      expect(summary.map((s) => s.items.map((i) => i.label))).toEqual([['obama', 'Unknown #1'], ['Unknown #1']]);
    });

    it('cluster_unknowns: labels clustered job-wide by the caller replace its own clustering', () => {
      const sources = [source(0, [face(10, [0]), face(60, [0.1]), face(110, [7])])];
      const faces = listFaces(sources);
      const candidates = [[], [], [c('obama', 0.2)]];
      // Only the unknown faces (0 and 1) are the caller's to label; a label for a named face is ignored.
      const labels = new Map([
        [0, 'Unknown #3'],
        [2, 'Unknown #9'],
      ]);
      const { items } = buildImageResults('job-1', params({ cluster_unknowns: true }), sources, faces, candidates, gap, labels);
      expect(items.map((i) => i.meta.person)).toEqual(['obama', 'Unknown #3', null]);
      // Without cluster_unknowns the labels are not used.
      const off = buildImageResults('job-1', params(), sources, faces, candidates, gap, labels);
      expect(off.items.map((i) => i.meta.person)).toEqual(['obama', null, null]);
    });

    it('cluster_unknowns: a face without an embedding stays null and counts as "Unknown"', () => {
      const { items, summary } = build([source(0, [face(10, null), face(60, [1])])], [[], []], { cluster_unknowns: true });
      expect(at(items, 60).meta.person).toBe('Unknown #1');
      expect(at(items, 10).meta.person).toBeNull();
      expect(summary[0]!.items.map((i) => i.label)).toEqual(['Unknown #1', 'Unknown']);
    });

    it('without clustering: person null, closest_person set, one "Unknown" in the summary', () => {
      const { items, summary } = build([source(0, [face(10, [0]), face(60, [9])])], [[c('obama', 1.3)], []]);
      expect(items.map((i) => i.meta.person)).toEqual([null, null]);
      expect(at(items, 10).meta.closest_person).toBe('obama');
      expect(at(items, 60).meta).toMatchObject({ closest_person: null, mean_distance: null, mean_similarity: null });
      expect(summary).toEqual([{ source: 'photo-0.jpg', media_type: 'image', info: { resolution: [200, 100] }, items: [{ type: 'face', label: 'Unknown', module: 'face_recognition' }] }]);
    });
  });

  it('normalises boxes to 0..1 of the image and clamps them to it', () => {
    const sources = [
      source(
        0,
        [
          face(50, [0], { y: 25, w: 100, h: 50 }), // inside
          face(-10, [1], { y: -20, w: 30, h: 40 }), // over the top-left corner
          face(180, [2], { y: 90, w: 40, h: 30 }), // over the bottom-right corner
        ],
        [200, 100],
      ),
    ];
    const { items } = build(sources, [[], [], []]);
    const boxes = items.map((i) => i.detections[0]!.data).sort((a, b) => a.x - b.x);
    expect(boxes).toEqual([
      { x: 0, y: 0, w: 0.1, h: 0.2 },
      { x: 0.25, y: 0.25, w: 0.5, h: 0.5 },
      { x: 0.9, y: 0.9, w: 0.1, h: 0.1 },
    ]);
    for (const b of boxes) {
      for (const v of [b.x, b.y, b.w, b.h, b.x + b.w, b.y + b.h]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    expect(items.every((i) => i.detections.length === 1 && i.detections[0]!.frame_index === 0 && i.detections[0]!.type === 'face_bbox')).toBe(true);
  });

  it('fills the image fields of every item', () => {
    const { items } = build([source(0, [face(10)])], [[c('obama', 0.2)]]);
    expect(items[0]).toMatchObject({
      media_type: 'image',
      source: 'photo-0.jpg',
      module: 'face_recognition',
      frame_start: 0,
      frame_end: 0,
      time_start: 0,
      time_end: 0,
      tc_start: '00:00:00:00',
      tc_end: '00:00:00:00',
      meta: { class_id: null, indexed_identity: null },
      thumbnail: { image: 'thumb-10', meta: {} },
    });
    expect(items[0]).not.toHaveProperty('sourceIndex');
  });

  it('gives stable, distinct, UUID-shaped result ids', () => {
    const sources = [source(0, [face(10), face(60)]), source(1, [face(10)])];
    const candidates = [[c('obama', 0.2)], [], [c('biden', 0.3)]];
    const first = build(sources, candidates).items.map((i) => i.id);
    const again = build(sources, candidates).items.map((i) => i.id);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(3);
    for (const id of first) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const otherJob = build(sources, candidates, {}, 'job-2').items.map((i) => i.id);
    expect(otherJob.some((id) => first.includes(id))).toBe(false);
  });

  it('orders items by source, then named persons (by name) before unknowns, then left to right', () => {
    const sources = [
      source(1, [face(10, [0]), face(40, [50]), face(70, [99]), face(100, [100]), face(130, null), face(160, [0.2])]),
      source(0, [face(150, [500])]),
    ];
    // listFaces order: source 1 first (as given), left to right, then source 0.
    const candidates = [[], [c('Zed', 0.1)], [c('adam', 0.2)], [c('Bea', 0.3)], [], [], [c('x', 0.1)]];
    const { items, summary } = build(sources, candidates, { cluster_unknowns: true });
    expect(items.map((i) => [i.source, i.meta.person, i.detections[0]!.data.x])).toEqual([
      ['photo-0.jpg', 'x', 0.75],
      ['photo-1.jpg', 'adam', 0.35],
      ['photo-1.jpg', 'Bea', 0.5],
      ['photo-1.jpg', 'Zed', 0.2],
      ['photo-1.jpg', 'Unknown #1', 0.05], // 0 and 0.2 look alike but share the image: two strangers
      ['photo-1.jpg', 'Unknown #2', 0.8],
      ['photo-1.jpg', null, 0.65], // no embedding
    ]);
    // Summaries follow the sources as given, labels in result order.
    expect(summary.map((s) => [s.source, s.items.map((i) => i.label)])).toEqual([
      ['photo-1.jpg', ['adam', 'Bea', 'Zed', 'Unknown #1', 'Unknown #2', 'Unknown']],
      ['photo-0.jpg', ['x']],
    ]);
  });

  it('numbers many clusters naturally: Unknown #2 before Unknown #10', () => {
    const strangers = Array.from({ length: 11 }, (_, i) => face(10 + i * 10, [i * 100]));
    const { items } = build([source(0, strangers, [1000, 100])], strangers.map(() => []), { cluster_unknowns: true });
    expect(items.map((i) => i.meta.person)).toEqual(Array.from({ length: 11 }, (_, i) => `Unknown #${i + 1}`));
  });

  it('handles no faces at all', () => {
    const { items, summary } = build([source(0, [])], []);
    expect(items).toEqual([]);
    expect(summary).toEqual([{ source: 'photo-0.jpg', media_type: 'image', info: { resolution: [200, 100] }, items: [] }]);
  });
});
