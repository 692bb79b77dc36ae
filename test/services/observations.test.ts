// collectObservations: a job's observation chunks (in append order) folded into one record per
// source, and the sources that failed or never finished.
import { describe, expect, it } from 'vitest';
import type { FaceObservation, ObservationChunk } from '../../libs/jobs/types.js';
import { collectObservations } from '../../services/aggregator/observations.js';
import { templateOf } from '../../services/aggregator/person-units.js';
import { itemThumbnail, SpilledThumbnail, ThumbnailSpill, thumbnailText } from '../../services/aggregator/thumbnail-spill.js';
import { TrackFold } from '../../services/aggregator/track-fold.js';

async function* stream(chunks: readonly ObservationChunk[]): AsyncIterable<ObservationChunk> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

function face(x: number): FaceObservation {
  return { box: { x, y: 0, w: 10, h: 10 }, score: 0.9, landmarkScore: 0.8, landmarks: [], embedding: [x], thumbnail: null, trackId: null };
}

function start(sourceIndex: number, source = `s${sourceIndex}.jpg`): ObservationChunk {
  return { kind: 'source-start', sourceIndex, source, mediaType: 'image', info: { resolution: [640, 480] }, embeddingModel: 'dlib-resnet' };
}

function frames(sourceIndex: number, ...frameFaces: [number, FaceObservation[]][]): ObservationChunk {
  return { kind: 'frames', sourceIndex, frames: frameFaces.map(([index, faces]) => ({ index, faces })) };
}

const end = (sourceIndex: number): ObservationChunk => ({ kind: 'source-end', sourceIndex });

describe('collectObservations', () => {
  it('folds the chunks of each source into one record, sources interleaved', async () => {
    const observed = await collectObservations(
      stream([start(0, 'a.jpg'), start(1, 'b.jpg'), frames(1, [0, [face(5)]]), frames(0, [0, [face(1), face(2)]]), end(1), end(0)]),
      ['a.jpg', 'b.jpg'],
    );
    expect(observed.failed).toEqual([]);
    expect(observed.sources).toHaveLength(2);
    const [a, b] = observed.sources;
    expect(a).toMatchObject({ index: 0, source: 'a.jpg', mediaType: 'image', info: { resolution: [640, 480] }, embeddingModel: 'dlib-resnet' });
    expect([...a!.frames]).toEqual([[0, [face(1), face(2)]]]);
    expect(b).toMatchObject({ index: 1, source: 'b.jpg' });
    expect([...b!.frames]).toEqual([[0, [face(5)]]]);
  });

  it('merges a frame split over two chunks, in order, and sorts the frames', async () => {
    const observed = await collectObservations(
      stream([start(0), frames(0, [3, [face(1)]], [0, [face(9)]]), frames(0, [3, [face(2), face(3)]]), frames(0, [1, []]), end(0)]),
      ['s0.jpg'],
    );
    const [s] = observed.sources;
    expect([...s!.frames.keys()]).toEqual([0, 1, 3]);
    expect(s!.frames.get(3)).toEqual([face(1), face(2), face(3)]);
    expect(s!.frames.get(0)).toEqual([face(9)]);
    expect(s!.frames.get(1)).toEqual([]);
  });

  it('a source without its end marker failed: not fully processed', async () => {
    const observed = await collectObservations(stream([start(0), frames(0, [0, [face(1)]]), end(0), start(1), frames(1, [0, [face(2)]])]), ['s0.jpg', 's1.jpg']);
    expect(observed.sources.map((s) => s.index)).toEqual([0]);
    expect(observed.failed).toEqual([{ index: 1, source: 's1.jpg', message: expect.stringContaining('not fully processed') }]);
  });

  it('a source never started also failed, under the name the job gave it', async () => {
    const observed = await collectObservations(stream([start(1), end(1)]), ['first.jpg', 's1.jpg', 'third.jpg']);
    expect(observed.sources.map((s) => s.source)).toEqual(['s1.jpg']);
    expect(observed.failed.map((f) => [f.index, f.source])).toEqual([
      [0, 'first.jpg'],
      [2, 'third.jpg'],
    ]);
    expect(observed.failed.every((f) => f.message.includes('not fully processed'))).toBe(true);
  });

  it('lists failed sources with their message, in source order, and drops their partial frames', async () => {
    const observed = await collectObservations(
      stream([
        start(2, 'c.jpg'),
        { kind: 'source-failed', sourceIndex: 2, source: 'c.jpg', message: 'not a readable image' },
        start(0, 'a.jpg'),
        frames(0, [0, [face(1)]]),
        { kind: 'source-failed', sourceIndex: 0, source: 'a.jpg', message: 'download failed: 404' },
        start(1, 'b.jpg'),
        end(1),
      ]),
      ['a.jpg', 'b.jpg', 'c.jpg'],
    );
    expect(observed.sources.map((s) => s.source)).toEqual(['b.jpg']);
    expect(observed.failed).toEqual([
      { index: 0, source: 'a.jpg', message: 'download failed: 404' },
      { index: 2, source: 'c.jpg', message: 'not a readable image' },
    ]);
  });

  it('ignores frames of a source that was not started', async () => {
    const observed = await collectObservations(stream([frames(0, [0, [face(1)]]), start(0), frames(0, [0, [face(2)]]), end(0)]), ['s0.jpg']);
    expect(observed.sources[0]!.frames.get(0)).toEqual([face(2)]);
  });

  it('orders the sources by index whatever order they finished in', async () => {
    const observed = await collectObservations(stream([start(2), start(0), start(1), end(2), end(0), end(1)]), ['s0.jpg', 's1.jpg', 's2.jpg']);
    expect(observed.sources.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(observed.failed).toEqual([]);
  });

  it('no chunks at all: every source failed', async () => {
    const observed = await collectObservations(stream([]), ['a.jpg']);
    expect(observed).toEqual({ sources: [], failed: [{ index: 0, source: 'a.jpg', message: 'the source was not fully processed' }] });
  });

  it('folds a video\'s faces into tracks as it reads them: each track keeps its best thumbnail (the earliest on ties) and its template; faces keep box and scores only', async () => {
    const points: [number, number][] = [[30, 30], [50, 30], [40, 40], [32, 50], [48, 50]];
    const vface = (trackId: number, score: number, thumbnail: string | null, embedding: number[] | null): FaceObservation => ({
      box: { x: 20 + trackId, y: 20, w: 40, h: 40 },
      score,
      landmarkScore: 0.9,
      landmarks: points,
      embedding,
      thumbnail,
      trackId,
    });
    const video: ObservationChunk = { kind: 'source-start', sourceIndex: 0, source: 'v.mp4', mediaType: 'video', info: { resolution: [640, 480], fps: 25 }, embeddingModel: 'dlib-resnet' };
    const observed = await collectObservations(
      stream([
        video,
        frames(0, [0, [vface(1, 0.6, 't1-f0', [3, 4])]], [2, [vface(1, 0.9, 't1-f2', null)]], [4, [vface(1, 0.7, 't1-f4', [0, 2])]]),
        { kind: 'frames', sourceIndex: 0, frames: [{ index: 6, faces: [vface(1, 0.9, 't1-f6', null), vface(2, 0.5, 't2-f6', null)], cut: true }] },
        frames(0, [8, [vface(1, 0.95, null, null), vface(2, 0.5, null, null)]]),
        end(0),
      ]),
      ['v.mp4'],
    );
    const [source] = observed.sources;
    expect(source!.frames.size).toBe(0);
    const faces = source!.tracks!.flatMap((t) => t.faces.map(({ frameIndex, face }) => ({ frame: frameIndex, track: face.trackId, score: face.score, thumbnail: face.thumbnail, points: face.landmarks.length, embedding: face.embedding })));
    expect(faces).toEqual([
      { frame: 0, track: 1, score: 0.6, thumbnail: null, points: 0, embedding: null },
      { frame: 2, track: 1, score: 0.9, thumbnail: null, points: 0, embedding: null },
      { frame: 4, track: 1, score: 0.7, thumbnail: null, points: 0, embedding: null },
      { frame: 6, track: 1, score: 0.9, thumbnail: null, points: 0, embedding: null },
      { frame: 8, track: 1, score: 0.95, thumbnail: null, points: 0, embedding: null },
      { frame: 6, track: 2, score: 0.5, thumbnail: null, points: 0, embedding: null },
      { frame: 8, track: 2, score: 0.5, thumbnail: null, points: 0, embedding: null },
    ]);
    // Frame 2's is the best, and earlier than its tie at frame 6 (frame 8's, better, came without one).
    expect(source!.tracks!.map((t) => t.thumbnail?.image)).toEqual(['t1-f2', 't2-f6']);
    const [one, two] = source!.tracks!;
    expect([one!.frameStart, one!.frameEnd, one!.shot, two!.frameStart, two!.shot]).toEqual([0, 8, 0, 6, 1]);
    // Unit vectors (0.6, 0.8) and (0, 1) weighted by quality (everything alike but the scores 0.6
    // and 0.7), re-normalised to the faces' weighted mean length (0.6·5 + 0.7·2) / 1.3.
    const t = Array.from(one!.template!);
    const mean = [0.6 * 0.6, 0.6 * 0.8 + 0.7];
    const scale = (0.6 * 5 + 0.7 * 2) / 1.3 / Math.hypot(...mean);
    expect(t[0]).toBeCloseTo(mean[0]! * scale, 5);
    expect(t[1]).toBeCloseTo(mean[1]! * scale, 5);
    expect(one!.samples.map((e) => Array.from(e))).toEqual([[3, 4], [0, 2]]);
    expect(two!.template).toBeNull();
    expect(two!.samples).toEqual([]);
  });

  it('keeps a bounded, diverse sample of a long track\'s embeddings, and none when asked for none', async () => {
    const video: ObservationChunk = { kind: 'source-start', sourceIndex: 0, source: 'v.mp4', mediaType: 'video', info: { resolution: [640, 480], fps: 25 }, embeddingModel: 'dlib-resnet' };
    const angle = (k: number) => [Math.cos(k / 100), Math.sin(k / 100)];
    const chunks = [
      video,
      frames(0, ...Array.from({ length: 100 }, (_, k): [number, FaceObservation[]] => [k, [{ box: { x: 0, y: 0, w: 50, h: 50 }, score: 0.9, landmarkScore: 0.9, landmarks: [], embedding: angle(k), thumbnail: null, trackId: 7 }]])),
      end(0),
    ];
    const [kept] = (await collectObservations(stream(chunks), ['v.mp4'], { samplesPerTrack: 4 })).sources;
    const samples = kept!.tracks![0]!.samples.map((e) => Array.from(e, (v) => Math.fround(v)));
    expect(samples).toHaveLength(4);
    // The first look, then the farthest ones: spread over the whole arc, not bunched at one end.
    const angles = samples.map(([x, y]) => Math.round(Math.atan2(y!, x!) * 100));
    expect(angles[0]).toBe(0);
    expect(Math.max(...angles)).toBeGreaterThanOrEqual(90);
    expect(Math.min(...angles.slice(1).map((a, i) => a - angles[i]!))).toBeGreaterThanOrEqual(15);
    const [none] = (await collectObservations(stream(chunks), ['v.mp4'], { samplesPerTrack: 0 })).sources;
    expect(none!.tracks![0]!.samples).toEqual([]);
    expect(none!.tracks![0]!.template).not.toBeNull();
  });

  it('a track seen again after it went idle keeps one template over all its faces', () => {
    const face = (x: number, embedding: number[]): FaceObservation => ({ box: { x, y: 0, w: 60, h: 60 }, score: 0.9, landmarkScore: 0.9, landmarks: [], embedding, thumbnail: null, trackId: 3 });
    const faces: [number, FaceObservation][] = [[0, face(0, [1, 0, 0])], [5, face(0, [0, 2, 0])], [1000, face(0, [0, 0, 3])]];
    const fold = new TrackFold({ width: 640, height: 480, fps: 25, samplesPerTrack: 0 });
    // An unrelated face every 50 frames moves the fold on, so track 3 goes idle between frames 5 and 1000.
    for (let frame = 0; frame <= 1000; frame += 5) fold.add(frame, [...faces.filter(([f]) => f === frame).map(([, f]) => f), { ...face(300, [1, 1, 1]), trackId: 9 }]);
    const [track] = fold.finish().filter((t) => t.trackId === 3);
    const expected = templateOf(faces.map(([frameIndex, f]) => ({ frameIndex, face: f })), 640, 480)!;
    Array.from(track!.template!).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('spills the thumbnails to a file when given one, and reads each back when a result item is serialised', async () => {
    const spill = new ThumbnailSpill();
    try {
      const video: ObservationChunk = { kind: 'source-start', sourceIndex: 0, source: 'v.mp4', mediaType: 'video', info: { resolution: [640, 480], fps: 25 }, embeddingModel: 'dlib-resnet' };
      const vface = (trackId: number, size: number, thumbnail: string): FaceObservation => ({ box: { x: trackId * 100, y: 0, w: size, h: size }, score: 0.9, landmarkScore: 0.9, landmarks: [], embedding: null, thumbnail, trackId });
      const chunks = [video, frames(0, [0, [vface(1, 40, 'AAAA'), vface(2, 50, 'QkJC')]], [5, [vface(1, 80, 'Q0NDQw==')]]), end(0)];
      const [source] = (await collectObservations(stream(chunks), ['v.mp4'], { spill })).sources;
      const images = source!.tracks!.map((t) => t.thumbnail!.image);
      expect(images.every((i) => i instanceof SpilledThumbnail)).toBe(true);
      expect(images.map(thumbnailText)).toEqual(['Q0NDQw==', 'QkJC']);
      expect(JSON.parse(JSON.stringify({ thumbnail: itemThumbnail(images[0]!) }))).toEqual({ thumbnail: { meta: {}, image: 'Q0NDQw==' } });
    } finally {
      spill.close();
    }
    expect(() => spill.read(0, 4)).toThrow(/closed/);
  });
});
