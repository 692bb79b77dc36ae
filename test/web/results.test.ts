// What the job page makes of detailed results: timeline rows, boxes at a frame, CSV and WebVTT.
import { describe, expect, it } from 'vitest';
import { boxesAt, CSV_COLUMNS, peopleFromPaths, timelineRows, toCsv, toWebVtt, vttTime, type Item } from '../../web/src/lib/results.js';

let n = 0;
function item(person: string | null, t0: number, t1: number, extra: Partial<Item['meta']> = {}, fps = 10): Item {
  const frames: number[] = [];
  for (let f = Math.round(t0 * fps); f <= Math.round(t1 * fps); f += 5) frames.push(f);
  return {
    id: `r${++n}`,
    source: 'storage://clip',
    media_type: 'video',
    frame_start: Math.round(t0 * fps),
    frame_end: Math.round(t1 * fps),
    time_start: t0,
    time_end: t1,
    tc_start: '',
    tc_end: '',
    meta: { person, closest_person: null, mean_distance: 0.8, mean_similarity: 0.68, indexed_identity: null, ...extra },
    thumbnail: { image: '' },
    detections: frames.map((f) => ({ frame_index: f, data: { x: f / 1000, y: 0.1, w: 0.2, h: 0.3 } })),
  };
}

describe('timelineRows', () => {
  it('gives one row per person: named by name, then Unknown #n by n, then unknown; segments in time order', () => {
    const rows = timelineRows([
      item('Unknown #10', 0, 1),
      item('zoe', 5, 6),
      item('Unknown #2', 1, 2),
      item(null, 2, 3),
      item('anna', 4, 5),
      item('zoe', 1, 2),
    ]);
    expect(rows.map((r) => r.label)).toEqual(['anna', 'zoe', 'Unknown #2', 'Unknown #10', 'Unknown']);
    expect(rows[1]!.segments.map((s) => s.time_start)).toEqual([1, 5]);
    expect(rows.map((r) => r.named)).toEqual([true, true, false, false, false]);
  });

  it('keeps indexed unknowns without a cluster label apart', () => {
    const rows = timelineRows([item(null, 0, 1, { indexed_identity: 'a' }), item(null, 2, 3, { indexed_identity: 'b' }), item(null, 4, 5, { indexed_identity: 'a' })]);
    expect(rows.map((r) => [r.indexed, r.segments.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});

describe('boxesAt', () => {
  it('takes the nearest detection within the tolerance, and nothing outside a segment', () => {
    const a = item('anna', 1, 3); // detections at frames 10, 15, 20, 25, 30
    expect(boxesAt([a], 17, 5)).toEqual([{ itemId: a.id, label: 'anna', x: 0.015, y: 0.1, w: 0.2, h: 0.3 }]);
    expect(boxesAt([a], 33, 2)).toEqual([]);
    expect(boxesAt([a], 31, 2)).toHaveLength(1);
    expect(boxesAt([a], 50, 5)).toEqual([]);
  });
});

describe('toWebVtt', () => {
  it('writes one cue per stretch with the same people on screen', () => {
    const vtt = toWebVtt([item('anna', 0, 2), item('bob', 1, 3), item('anna', 5, 6.5)]);
    expect(vtt).toBe(
      ['WEBVTT', '', '1', '00:00:00.000 --> 00:00:01.000', 'anna', '', '2', '00:00:01.000 --> 00:00:02.000', 'anna, bob', '', '3', '00:00:02.000 --> 00:00:03.000', 'bob', '', '4', '00:00:05.000 --> 00:00:06.500', 'anna', ''].join('\n'),
    );
  });

  it('formats hours and milliseconds', () => {
    expect(vttTime(3723.4567)).toBe('01:02:03.457');
    expect(vttTime(-1)).toBe('00:00:00.000');
  });
});

describe('toCsv', () => {
  it('writes a header and one quoted-where-needed line per item, defusing spreadsheet formulas', () => {
    const csv = toCsv([item('Doe, "Jo"', 0, 1), item('=HYPERLINK("x")', 1, 2)]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[1]!.startsWith('storage://clip,"Doe, ""Jo""",,,0.8,0.68,0,10,0,1,,,r')).toBe(true);
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines).toHaveLength(3);
  });
});

describe('peopleFromPaths', () => {
  it('groups a <person>/<photo> folder by person, photos only', () => {
    const files = ['gallery/obama/obama1.jpg', 'gallery/obama/obama2.PNG', 'gallery/biden/biden1.jpg', 'gallery/README.md', 'gallery/biden/notes.txt', 'loose.jpg'].map((path) => ({ path }));
    const people = peopleFromPaths(files);
    expect([...people.keys()]).toEqual(['obama', 'biden']);
    expect(people.get('obama')!.map((f) => f.path)).toEqual(['gallery/obama/obama1.jpg', 'gallery/obama/obama2.PNG']);
  });
});
