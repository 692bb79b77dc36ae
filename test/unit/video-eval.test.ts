// scoreClip / totals (`facerec eval video`): seconds named right and wrong per person, who a face
// is by time and band, background faces, labels per stranger, tolerance at interval ends.
import { describe, expect, it } from 'vitest';
import { linkingDistances, sameName, scoreClip, totals, type TruthClip } from '../../libs/eval/video-eval.js';
import type { ResultItem } from '../../libs/jobs/types.js';

/** A result item with one detection per frame, boxes centred at `cx` with side `size` (0..1). */
function item(person: string | null, frames: number[], cx = 0.5, size = 0.2, reason: string | null = null): ResultItem {
  return {
    id: `${person}-${frames[0]}`,
    media_type: 'video',
    source: 's',
    module: 'face_recognition',
    frame_start: frames[0]!,
    frame_end: frames[frames.length - 1]!,
    time_start: 0,
    time_end: 0,
    tc_start: '',
    tc_end: '',
    meta: { person, class_id: null, closest_person: null, mean_distance: null, mean_similarity: null, indexed_identity: null, unidentified_reason: reason },
    thumbnail: { image: '', meta: {} },
    detections: frames.map((f) => ({ frame_index: f, type: 'face_bbox' as const, data: { x: cx - size / 2, y: 0.1, w: size, h: size } })),
  };
}

const every = (from: number, to: number, step = 10) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step);
/** 10 fps, sampled every 10th frame: one sample a second; 20 s. */
const info = { fps: 10, total_frames: 200 };

describe('scoreClip', () => {
  const truth: TruthClip = {
    file: 'clip.mp4',
    others: 'strangers',
    people: [
      { person: 'Ann Lee', intervals: [[0, 9.9]], x: [0, 0.5] },
      { person: 'stranger:1', intervals: [[0, 19.9]], x: [0.5, 1] },
    ],
  };

  it('counts the seconds each person is named right, named wrong and unnamed, with their labels', () => {
    const items = [
      item('ann lee', every(0, 50), 0.25), // 6 s named right (case and spacing ignored)
      item('Bob', every(60, 70), 0.25), // 2 s under a wrong name
      item('Unknown #1', every(0, 190), 0.75),
    ];
    const score = scoreClip(truth, items, info, { tolerance: 0 });
    const ann = score.people.find((p) => p.person === 'Ann Lee')!;
    // On screen 0–9.9 s: samples at 0..9 s, 10 samples of 1 s; frames 80 and 90 have no face (unnamed).
    expect(ann).toMatchObject({ on_screen_s: 10, named_s: 6, recall: 0.6, wrong_s: 2, wrong_names: ['Bob'], labels: ['ann lee', 'Bob'] });
    expect(score.people.find((p) => p.person === 'stranger:1')).toMatchObject({ stranger: true, recall: null, wrong_s: 0, labels: ['Unknown #1'] });
    expect(score).toMatchObject({ others_named_s: 0, items_without_label: 0, items: 3 });
  });

  it('a stranger given any name is named wrong; two labels on one stranger are reported', () => {
    const items = [item('Unknown #1', every(0, 90), 0.75), item('Carl', every(100, 110), 0.75), item('Unknown #2', every(120, 190), 0.75)];
    const s = scoreClip(truth, items, info, { tolerance: 0 }).people.find((p) => p.person === 'stranger:1')!;
    expect(s).toMatchObject({ wrong_s: 2, wrong_names: ['Carl'], labels: ['Unknown #1', 'Carl', 'Unknown #2'] });
    const all = totals([scoreClip(truth, items, info, { tolerance: 0 })]);
    expect(all.strangers_named_s).toBe(2);
    expect(all.stranger_labels).toEqual([{ file: 'clip.mp4', person: 'stranger:1', labels: 3 }]);
  });

  it('gives each entry the largest face in its band; smaller faces there are others, counted wrong only among strangers', () => {
    const items = [item('Ann Lee', every(0, 90), 0.25, 0.3), item('Dan', every(0, 90), 0.3, 0.05)];
    const strict = scoreClip(truth, items, info, { tolerance: 0 });
    expect(strict.people.find((p) => p.person === 'Ann Lee')!.named_s).toBe(10);
    expect(strict).toMatchObject({ others_named_s: 10, others_names: ['Dan'], others_wrong: true });
    expect(totals([strict]).wrong_s).toBe(10);
    const unverified = scoreClip({ ...truth, others: 'unverified' }, items, info, { tolerance: 0 });
    expect(unverified.others_wrong).toBe(false);
    expect(totals([unverified]).wrong_s).toBe(0);
  });

  it('does not judge seconds within the tolerance of an interval’s ends, nor optional entries for recall', () => {
    const items = [item('Ann Lee', every(20, 90), 0.25)];
    expect(scoreClip(truth, items, info, { tolerance: 0 }).people[0]).toMatchObject({ on_screen_s: 10, named_s: 8 });
    // 1.5 s at each end: samples at 2..8 s are judged, all named.
    expect(scoreClip(truth, items, info, { tolerance: 1.5 }).people[0]).toMatchObject({ on_screen_s: 7, named_s: 7, recall: 1 });
    const optional: TruthClip = { ...truth, people: [{ ...truth.people[0]!, optional: true }] };
    expect(scoreClip(optional, [item('Bob', every(0, 90), 0.25)], info, { tolerance: 0 }).people[0]).toMatchObject({ on_screen_s: 0, recall: null, wrong_s: 10 });
  });

  it('counts items without a person, and those without a reason either', () => {
    const items = [item(null, [0], 0.25, 0.2, 'too small or too blurred to recognise'), item(null, [10], 0.75)];
    expect(scoreClip(truth, items, info, { tolerance: 0 })).toMatchObject({ items_without_label: 2, items_without_label_or_reason: 1 });
  });
});

describe('scoreClip: unnamed near max_distance', () => {
  it('lists unnamed items whose closest person lies within the job’s max_distance or just above, with whom they are', () => {
    const truth: TruthClip = { file: 'c', others: 'unverified', people: [{ person: 'Ann Lee', intervals: [[0, 9.9]] }] };
    const held = { ...item('Unknown #1', every(0, 50)), meta: { ...item(null, [0]).meta, person: 'Unknown #1', closest_person: 'Ann Lee', mean_distance: 0.8 } };
    const far = { ...item(null, every(0, 50), 0.9, 0.05), meta: { ...item(null, [0]).meta, closest_person: 'Carl', mean_distance: 1.2 } };
    const background = {
      ...item(null, every(0, 50), 0.1, 0.05),
      meta: { ...item(null, [0]).meta, closest_person: 'Dan', mean_distance: 1.0, closest_k_persons: [{ person: 'Dan', similarity: 0.5 }, { person: 'Eve', similarity: 0.28 }] },
    };
    const score = scoreClip(truth, [held, far, background], info, { tolerance: 0, maxDistance: 0.95 });
    expect(score.unnamed_near).toEqual([
      { person: 'Ann Lee', closest: 'Ann Lee', distance: 0.8, within: true, margin: null },
      { person: 'others', closest: 'Dan', distance: 1.0, within: false, margin: 0.2 },
    ]);
    expect(scoreClip(truth, [held], info, { tolerance: 0 }).unnamed_near).toEqual([]);
  });
});

describe('linkingDistances', () => {
  it('pairs tracks never on screen together by who the truth says they are, within a shot or across a cut', () => {
    const truth: TruthClip = { file: 'c', others: 'strangers', people: [{ person: 'Ann', intervals: [[0, 5]] }, { person: 'Bob', intervals: [[6, 10]] }] };
    const track = (from: number, to: number, shot: number, template: number[] | null) => ({
      faces: every(from, to).map((frame) => ({ frame, cx: 0.5, area: 0.04 })),
      frameStart: from,
      frameEnd: to,
      shot,
      template,
    });
    const d = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.abs(a[0]! - b[0]!);
    const found = linkingDistances(truth, [track(0, 20, 0, [0]), track(30, 50, 0, [0.3]), track(60, 100, 1, [2]), track(70, 80, 1, null)], 10, d);
    // Ann's two tracks in shot 0; Bob's in shot 1 (the track without a template is left out; it overlaps Bob's anyway).
    expect(found).toEqual({ withinShot: { same: [0.3], different: [] }, acrossCuts: { same: [], different: [2, 1.7] } });
  });
});

describe('sameName', () => {
  it('ignores case, accents, punctuation and underscores, nothing else', () => {
    expect(sameName('lin_manuel_miranda', 'Lin-Manuel Miranda')).toBe(true);
    expect(sameName('José Mourinho', 'Jose Mourinho')).toBe(true);
    expect(sameName('Joe Biden', 'Joseph Biden')).toBe(false);
  });
});
