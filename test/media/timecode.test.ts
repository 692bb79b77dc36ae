import { describe, expect, it } from 'vitest';
import { frameTime, timecode } from '../../libs/media/timecode.js';

const NTSC30 = 30000 / 1001;
const NTSC60 = 60000 / 1001;

describe('timecode, non-drop rates', () => {
  it('23.976 counts 24 frames a second, non-drop', () => {
    const fps = 24000 / 1001;
    expect(timecode(0, fps)).toBe('00:00:00:00');
    expect(timecode(23, fps)).toBe('00:00:00:23');
    expect(timecode(24, fps)).toBe('00:00:01:00');
    expect(timecode(1439, fps)).toBe('00:00:59:23');
    expect(timecode(1440, fps)).toBe('00:01:00:00');
    expect(timecode(86_400, fps)).toBe('01:00:00:00');
    expect(timecode(86_401, 23.976)).toBe('01:00:00:01');
  });

  it('25', () => {
    expect(timecode(0, 25)).toBe('00:00:00:00');
    expect(timecode(12, 25)).toBe('00:00:00:12');
    expect(timecode(24, 25)).toBe('00:00:00:24');
    expect(timecode(56, 25)).toBe('00:00:02:06');
    expect(timecode(1500, 25)).toBe('00:01:00:00');
    expect(timecode(15_000, 25)).toBe('00:10:00:00');
    expect(timecode(90_000, 25)).toBe('01:00:00:00');
    expect(timecode(90_000 * 25 + 1, 25)).toBe('25:00:00:01'); // hours are not wrapped
  });

  it('30', () => {
    expect(timecode(29, 30)).toBe('00:00:00:29');
    expect(timecode(1800, 30)).toBe('00:01:00:00');
    expect(timecode(108_000, 30)).toBe('01:00:00:00');
  });

  it('50 and 60', () => {
    expect(timecode(49, 50)).toBe('00:00:00:49');
    expect(timecode(50, 50)).toBe('00:00:01:00');
    expect(timecode(180_000, 50)).toBe('01:00:00:00');
    expect(timecode(59, 60)).toBe('00:00:00:59');
    expect(timecode(3600, 60)).toBe('00:01:00:00');
  });
});

describe('timecode, drop-frame', () => {
  it('29.97 (30000/1001)', () => {
    expect(timecode(0, NTSC30)).toBe('00:00:00;00');
    expect(timecode(29, NTSC30)).toBe('00:00:00;29');
    expect(timecode(30, NTSC30)).toBe('00:00:01;00');
    expect(timecode(1799, NTSC30)).toBe('00:00:59;29');
    expect(timecode(1800, NTSC30)).toBe('00:01:00;02');
    expect(timecode(1801, NTSC30)).toBe('00:01:00;03');
    expect(timecode(3597, NTSC30)).toBe('00:01:59;29');
    expect(timecode(3598, NTSC30)).toBe('00:02:00;02');
    expect(timecode(17_981, NTSC30)).toBe('00:09:59;29');
    expect(timecode(17_982, NTSC30)).toBe('00:10:00;00');
    expect(timecode(17_983, NTSC30)).toBe('00:10:00;01');
    expect(timecode(18_000, NTSC30)).toBe('00:10:00;18');
    expect(timecode(19_781, NTSC30)).toBe('00:10:59;29');
    expect(timecode(19_782, NTSC30)).toBe('00:11:00;02');
    expect(timecode(35_964, NTSC30)).toBe('00:20:00;00');
    expect(timecode(107_891, NTSC30)).toBe('00:59:59;29');
    expect(timecode(107_892, NTSC30)).toBe('01:00:00;00');
    expect(timecode(107_892 + 1800, NTSC30)).toBe('01:01:00;02');
    expect(timecode(2 * 107_892 + 17_982 + 5, NTSC30)).toBe('02:10:00;05');
  });

  it('a rate stored rounded (2997/100) is 29.97 drop-frame too', () => {
    expect(timecode(1800, 29.97)).toBe('00:01:00;02');
  });

  it('29.97: every frame for over an hour gets the next label, skipping exactly ;00 and ;01 of non-tenth minutes', () => {
    const problems: string[] = [];
    let previous = -1;
    for (let f = 0; f <= 110_000; f++) {
      const tc = timecode(f, NTSC30);
      const m = /^(\d\d):(\d\d):(\d\d);(\d\d)$/.exec(tc);
      if (!m) {
        problems.push(`${f} → ${tc}: not HH:MM:SS;FF`);
        continue;
      }
      const [hh, mm, ss, ff] = m.slice(1).map(Number) as [number, number, number, number];
      const minutes = hh * 60 + mm;
      if (ss === 0 && mm % 10 !== 0 && ff < 2) problems.push(`${f} → ${tc}: a dropped label`);
      // the inverse of drop-frame numbering gives the frame back
      const back = (minutes * 60 + ss) * 30 + ff - 2 * (minutes - Math.floor(minutes / 10));
      if (back !== f || back <= previous) problems.push(`${f} → ${tc} → ${back}`);
      previous = back;
      if (problems.length > 5) break;
    }
    expect(problems).toEqual([]);
  });

  it('59.94 (60000/1001) drops 4 frame numbers a minute', () => {
    expect(timecode(0, NTSC60)).toBe('00:00:00;00');
    expect(timecode(3599, NTSC60)).toBe('00:00:59;59');
    expect(timecode(3600, NTSC60)).toBe('00:01:00;04');
    expect(timecode(35_963, NTSC60)).toBe('00:09:59;59');
    expect(timecode(35_964, NTSC60)).toBe('00:10:00;00');
    expect(timecode(35_965, NTSC60)).toBe('00:10:00;01');
    expect(timecode(215_784, NTSC60)).toBe('01:00:00;00');
    expect(timecode(215_784 + 3600, NTSC60)).toBe('01:01:00;04');
  });

  it('rejects nonsense', () => {
    expect(() => timecode(-1, 25)).toThrow(RangeError);
    expect(() => timecode(1.5, 25)).toThrow(RangeError);
    expect(() => timecode(1, 0)).toThrow(RangeError);
    expect(() => timecode(1, Number.NaN)).toThrow(RangeError);
  });
});

describe('frameTime', () => {
  it('is frame / fps rounded to the millisecond', () => {
    expect(frameTime(0, 25)).toBe(0);
    expect(frameTime(12, 25)).toBe(0.48);
    expect(frameTime(56, 25)).toBe(2.24);
    expect(frameTime(1800, NTSC30)).toBe(60.06);
    expect(frameTime(15, NTSC30)).toBe(0.501);
    expect(frameTime(274, NTSC30)).toBe(9.142);
  });
});
