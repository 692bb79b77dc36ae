import { describe, expect, it } from 'vitest';
import { changeScore, CUT_SCORE, frameSignature, ShotChangeDetector } from '../../libs/tracking/shot-change.js';
import { FaceTracker } from '../../libs/tracking/face-tracker.js';

const W = 160;
const H = 90;

/** A frame: a gradient background in one palette, with a bright square at (x, y). */
function frame(palette: [number, number, number], squareX: number, squareY = 30): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const inSquare = x >= squareX && x < squareX + 30 && y >= squareY && y < squareY + 30;
      rgb[i] = inSquare ? 240 : (palette[0] + x / 4) & 255;
      rgb[i + 1] = inSquare ? 220 : (palette[1] + y / 2) & 255;
      rgb[i + 2] = inSquare ? 200 : palette[2];
    }
  }
  return rgb;
}

describe('shot changes', () => {
  it('scores a moving subject in one shot below the cut threshold, another scene above it', () => {
    const a = frameSignature(frame([20, 30, 60], 10), W, H);
    const moved = frameSignature(frame([20, 30, 60], 60), W, H);
    const other = frameSignature(frame([150, 90, 10], 10), W, H);
    expect(changeScore(a, a)).toBeCloseTo(0, 6);
    expect(changeScore(a, moved)).toBeLessThan(CUT_SCORE);
    expect(changeScore(a, other)).toBeGreaterThan(CUT_SCORE);
  });

  it('flags the first frame of a new shot only', () => {
    const detector = new ShotChangeDetector();
    const cuts = [frame([20, 30, 60], 10), frame([20, 30, 60], 20), frame([150, 90, 10], 20), frame([150, 90, 10], 25)].map((f) => detector.isCut(f, W, H));
    expect(cuts).toEqual([false, false, true, false]);
  });

  it('ends every track at a cut, so a face at the same place gets a new id', () => {
    const tracker = new FaceTracker();
    const box = { x: 10, y: 10, w: 40, h: 40 };
    const [first] = tracker.update(0, [{ box, score: 0.9, landmarkScore: 0.9 }]);
    tracker.endAll();
    expect(tracker.takeEnded()).toEqual([first]);
    const [second] = tracker.update(15, [{ box, score: 0.9, landmarkScore: 0.9 }]);
    expect(second).not.toBe(first);
  });
});
