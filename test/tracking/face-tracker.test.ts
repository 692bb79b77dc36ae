// FaceTracker (ids across sampled frames: motion, misses, crossings, gates), qualityOf and the
// EmbedSelector policy.
import { describe, expect, it } from 'vitest';
import { EmbedSelector, FaceTracker, qualityOf, ThumbnailSelector, type TrackerFace } from '../../libs/tracking/face-tracker.js';

function face(x: number, y = 100, size = 100, score = 0.9, landmarkScore = 0.9): TrackerFace {
  return { box: { x, y, w: size, h: size }, score, landmarkScore };
}

describe('FaceTracker', () => {
  it('keeps the id of a face moving steadily, ids starting at 1', () => {
    const tracker = new FaceTracker();
    const ids = Array.from({ length: 20 }, (_, k) => tracker.update(k * 5, [face(20 + k * 35)])[0]);
    expect(ids).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it('follows a fast face thanks to its predicted position', () => {
    // Speeding up to 60 px per sample on a 100 px face: from one box to the next the IoU is 0.25
    // (< 0.3), so only the prediction links them.
    const tracker = new FaceTracker();
    const xs = [0, 45, ...Array.from({ length: 8 }, (_, k) => 105 + k * 60)];
    const ids = xs.map((x, k) => tracker.update(k, [face(x)])[0]);
    expect(new Set(ids)).toEqual(new Set([1]));
  });

  it('keeps the id through 1 or 2 missed samples, and ends the track after 3', () => {
    for (const missed of [1, 2]) {
      const tracker = new FaceTracker();
      let frame = 0;
      for (let k = 0; k < 3; k++) expect(tracker.update(frame++, [face(100 + k * 20)])).toEqual([1]);
      for (let k = 0; k < missed; k++) expect(tracker.update(frame++, [])).toEqual([]);
      // Back where the steady motion puts it.
      expect(tracker.update(frame, [face(100 + (2 + missed + 1) * 20)])).toEqual([1]);
    }
    const tracker = new FaceTracker();
    tracker.update(0, [face(100)]);
    tracker.update(1, [face(100)]);
    for (const f of [2, 3, 4]) tracker.update(f, []);
    expect(tracker.activeTrackIds()).toEqual([]);
    expect(tracker.takeEnded()).toEqual([1]);
    expect(tracker.takeEnded()).toEqual([]);
    expect(tracker.update(5, [face(100)])).toEqual([2]);
  });

  it('honours maxMissed', () => {
    const tracker = new FaceTracker({ maxMissed: 0 });
    tracker.update(0, [face(100)]);
    tracker.update(1, []);
    expect(tracker.update(2, [face(100)])).toEqual([2]);
  });

  it('gives a new face a new id and keeps the others', () => {
    const tracker = new FaceTracker();
    expect(tracker.update(0, [face(100)])).toEqual([1]);
    expect(tracker.update(1, [face(600), face(102)])).toEqual([2, 1]);
    expect(tracker.update(2, [face(104), face(603)])).toEqual([1, 2]);
    expect(tracker.activeTrackIds()).toEqual([1, 2]);
  });

  it('never swaps two faces side by side, whichever order the detector lists them', () => {
    const tracker = new FaceTracker();
    for (let k = 0; k < 15; k++) {
      // Overlapping boxes (IoU ≈ 0.33 between them), moving together, with detector jitter.
      const jitter = k % 3 === 0 ? 4 : k % 3 === 1 ? -4 : 0;
      const left = face(100 + k * 3 + jitter, 100, 100);
      const right = face(150 + k * 3 - jitter, 100 + jitter, 100);
      const reversed = k % 2 === 1;
      const ids = tracker.update(k, reversed ? [right, left] : [left, right]);
      expect(reversed ? [ids[1], ids[0]] : ids).toEqual([1, 2]);
    }
  });

  it('keeps the ids of two faces moving toward each other and past each other', () => {
    // A walks right in front of B walking left (B a little higher and farther: smaller box). Their
    // boxes overlap for several samples while they cross.
    const tracker = new FaceTracker();
    const seen: [number, number][] = [];
    for (let k = 0; k <= 12; k++) {
      const a = face(20 + k * 30, 120, 110);
      const b = face(400 - k * 30, 90, 95);
      const ids = tracker.update(k * 3, k % 2 ? [b, a] : [a, b]);
      seen.push(k % 2 ? [ids[1]!, ids[0]!] : [ids[0]!, ids[1]!]);
    }
    expect(seen).toEqual(seen.map(() => [1, 2]));
  });

  it('keeps the ids of two same-size faces crossing fast, where the nearest last box would swap them', () => {
    // 40 px per sample each way on 100 px faces, 20 px apart vertically: at the crossing each
    // face's new box overlaps the other's last box more than its own; the predicted boxes do not.
    const tracker = new FaceTracker();
    for (let k = 0; k <= 11; k++) {
      const a = face(k * 40, 100);
      const b = face(440 - k * 40, 120);
      const ids = tracker.update(k, k % 2 ? [b, a] : [a, b]);
      expect(k % 2 ? [ids[1], ids[0]] : ids).toEqual([1, 2]);
    }
    // Without prediction (damping 0) the same scene swaps them: the test above is not trivial.
    const naive = new FaceTracker({ damping: 0 });
    const last = Array.from({ length: 12 }, (_, k) => naive.update(k, [face(k * 40, 100), face(440 - k * 40, 120)])).at(-1);
    expect(last).toEqual([2, 1]);
  });

  it('keeps the ids when the crossing faces also miss a detection', () => {
    const tracker = new FaceTracker();
    for (let k = 0; k <= 12; k++) {
      const a = face(20 + k * 30, 120, 110);
      const b = face(400 - k * 30, 90, 95);
      // B hidden behind A for two samples at the crossing.
      const faces = k === 6 || k === 7 ? [a] : [a, b];
      const ids = tracker.update(k, faces);
      expect(ids[0]).toBe(1);
      if (faces.length === 2) expect(ids[1]).toBe(2);
    }
  });

  it('starts a new track on a size jump the IoU alone would accept', () => {
    const tracker = new FaceTracker();
    tracker.update(0, [face(100, 100, 100)]);
    // 145 px at the same corner: IoU 0.48 ≥ 0.3, but 2.1× the area.
    expect(tracker.update(1, [face(100, 100, 145)])).toEqual([2]);
    // 1.4× the area of the 145 px box, same corner: linked.
    expect(tracker.update(2, [face(100, 100, 170)])).toEqual([2]);
    // Shrinking below half the area: a new track too.
    const shrinking = new FaceTracker();
    shrinking.update(0, [face(100, 100, 170)]);
    expect(shrinking.update(1, [face(100, 100, 115)])).toEqual([2]); // IoU 0.46, 0.46× the area
    expect(shrinking.update(2, [face(100, 100, 125)])).toEqual([2]);
  });

  it('does not link a face too far away (IoU under 0.3)', () => {
    const tracker = new FaceTracker();
    tracker.update(0, [face(100)]);
    expect(tracker.update(1, [face(160)])).toEqual([2]); // IoU 0.25
    expect(tracker.update(2, [face(165)])).toEqual([2]);
  });

  it('refuses frames out of order', () => {
    const tracker = new FaceTracker();
    tracker.update(10, []);
    expect(() => tracker.update(10, [])).toThrow(RangeError);
    expect(() => tracker.update(5, [])).toThrow(RangeError);
  });
});

describe('qualityOf', () => {
  it('grows with face size up to ~112 px, then saturates', () => {
    const q = (size: number) => qualityOf(face(10, 10, size, 1, 1), 1920, 1080);
    expect(q(56)).toBeCloseTo(0.5, 6);
    expect(q(112)).toBe(1);
    expect(q(300)).toBe(1);
    expect(q(28)).toBeLessThan(q(56));
  });

  it('multiplies in landmark and detector scores, and the part of the face inside the frame', () => {
    expect(qualityOf(face(10, 10, 200, 0.8, 0.5), 1920, 1080)).toBeCloseTo(0.4, 6);
    expect(qualityOf(face(-100, 10, 200, 1, 1), 1920, 1080)).toBeCloseTo(0.5, 6);
    expect(qualityOf({ box: { x: 0, y: 0, w: 0, h: 0 }, score: 1, landmarkScore: 1 }, 100, 100)).toBe(0);
    expect(qualityOf(face(10, 10, 200, Number.NaN, 1), 1920, 1080)).toBe(0);
  });

  it('with its five points, counts the share of the aligned face inside the frame (a box clipped to the frame cannot tell)', () => {
    // The ArcFace template's points for a 112 px face at (x, y): eyes, nose tip, mouth corners.
    const points = (x: number, y: number) =>
      [
        [38.29, 51.7],
        [73.53, 51.5],
        [56.03, 71.74],
        [41.55, 92.37],
        [70.73, 92.2],
      ].map(([px, py]) => [x + px!, y + py!] as const);
    const whole = { ...face(300, 300, 112, 1, 1), landmarks: points(300, 300) };
    expect(qualityOf(whole, 1920, 1080)).toBeCloseTo(1, 6);
    // The eyes on the frame's top edge: the detector's box starts at y = 0, but the upper half of the face is outside.
    const cut = { box: { x: 300, y: 0, w: 112, h: 60 }, score: 1, landmarkScore: 1, landmarks: points(300, -52) };
    expect(qualityOf({ ...cut, landmarks: undefined }, 1920, 1080)).toBeGreaterThan(0.7);
    expect(qualityOf(cut, 1920, 1080)).toBeLessThan(0.4);
  });
});

describe('EmbedSelector', () => {
  it('embeds the first perTrack faces above the floor, then nothing of equal quality', () => {
    const s = new EmbedSelector({ perTrack: 3, minQuality: 0.3, refreshFrames: Infinity });
    expect([0.2, 0.5, 0.5, 0.29, 0.5, 0.5, 0.55].map((q, f) => s.select(1, q, f))).toEqual([false, true, true, false, true, false, false]);
    // Another track has its own budget.
    expect(s.select(2, 0.4, 7)).toBe(true);
    expect(s.stats).toMatchObject({ considered: 8, selected: 4 });
  });

  it('replaces the worst kept face with a clearly better one (≥ 1.2×), raising the bar', () => {
    const s = new EmbedSelector({ perTrack: 2, minQuality: 0.1, refreshFrames: Infinity });
    expect(s.select(1, 0.4, 0)).toBe(true);
    expect(s.select(1, 0.5, 1)).toBe(true);
    expect(s.select(1, 0.47, 2)).toBe(false); // < 1.2 × 0.4
    expect(s.select(1, 0.48, 3)).toBe(true); // = 1.2 × 0.4: replaces 0.4 → kept {0.48, 0.5}
    expect(s.select(1, 0.5, 4)).toBe(false); // < 1.2 × 0.48
    expect(s.select(1, 0.6, 5)).toBe(true); // replaces 0.48 → kept {0.6, 0.5}
    expect(s.select(1, 0.59, 6)).toBe(false); // < 1.2 × 0.5
    expect(s.stats.replaced).toBe(2);
  });

  it('refreshes a long track once every refreshFrames since its last embedded face', () => {
    const s = new EmbedSelector({ perTrack: 2, minQuality: 0.2, refreshFrames: 100 });
    const picked = Array.from({ length: 60 }, (_, k) => k * 5).filter((f) => s.select(1, 0.5, f));
    // Two faces at once, then one refresh each 100 frames after the last embedded one.
    expect(picked).toEqual([0, 5, 105, 205]);
    expect(s.stats.refreshed).toBe(2);
    // A refresh still needs the floor.
    const t = new EmbedSelector({ perTrack: 1, minQuality: 0.3, refreshFrames: 10 });
    expect(t.select(1, 0.5, 0)).toBe(true);
    expect(t.select(1, 0.1, 50)).toBe(false);
    expect(t.select(1, 0.3, 51)).toBe(true);
  });

  it('forgets an ended track', () => {
    const s = new EmbedSelector({ perTrack: 1, refreshFrames: Infinity });
    expect(s.select(1, 0.5, 0)).toBe(true);
    expect(s.select(1, 0.5, 1)).toBe(false);
    s.forget(1);
    expect(s.select(1, 0.5, 2)).toBe(true);
  });

  it('all: selects every face, whatever its quality', () => {
    const s = new EmbedSelector({ all: true });
    expect([0, 0.01, 0.9, 0.9, 0.9, 0.9].map((q, f) => s.select(1, q, f))).toEqual([true, true, true, true, true, true]);
    expect(s.stats).toMatchObject({ considered: 6, selected: 6 });
  });

  it('has the documented defaults: 3 per track, floor 0.25, refresh every 100 frames', () => {
    const s = new EmbedSelector();
    expect(s.select(1, 0.24, 0)).toBe(false);
    expect([1, 2, 3, 4].map((f) => s.select(1, 0.25, f))).toEqual([true, true, true, false]);
    expect(s.select(1, 0.25, 102)).toBe(false);
    expect(s.select(1, 0.25, 103)).toBe(true);
  });
});

describe('ThumbnailSelector', () => {
  it('the first face of every track, whatever its quality, then only clearly better ones', () => {
    const s = new ThumbnailSelector();
    expect([0.05, 0.05, 0.055, 0.06, 0.05, 0.1].map((q) => s.select(1, q))).toEqual([true, false, false, true, false, true]);
    expect(s.select(2, 0)).toBe(true);
    expect(s.select(2, 0)).toBe(false);
    expect(s.select(2, Number.NaN)).toBe(false);
    expect(s.select(2, 0.01)).toBe(true);
  });

  it('a face chosen for embedding always carries one and raises the bar', () => {
    const s = new ThumbnailSelector();
    expect(s.select(1, 0.3)).toBe(true);
    expect(s.select(1, 0.31, true)).toBe(true);
    expect(s.select(1, 0.36)).toBe(false);
    expect(s.select(1, 0.38)).toBe(true);
  });

  it('starts a track over once forgotten', () => {
    const s = new ThumbnailSelector();
    expect(s.select(1, 0.5)).toBe(true);
    s.forget(1);
    expect(s.select(1, 0.1)).toBe(true);
  });
});
