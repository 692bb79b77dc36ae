// SMPTE timecodes of 0-based frame indices, counted from frame 0 at the source's frame rate.
//
// 29.97 and 59.94 fps (NTSC, 30000/1001 and 60000/1001) use drop-frame timecode, written with a
// ";" before the frames: frame numbers 0–1 (0–3 at 59.94) are skipped at the start of every
// minute except every tenth, so the timecode keeps up with the clock (frame 1800 at 29.97 is
// 00:01:00;02). Every other rate is non-drop at its nominal integer rate: 23.976 counts 24 frames
// a "second" (as SMPTE does), 25, 30, 50, 60 count their own. Hours are not wrapped at 24.

const NTSC_30 = 30000 / 1001;
const NTSC_60 = 60000 / 1001;

/** SMPTE timecode of `frame` at `fps`: `HH:MM:SS:FF`, or `HH:MM:SS;FF` (drop-frame) at 29.97/59.94. */
export function timecode(frame: number, fps: number): string {
  if (!Number.isInteger(frame) || frame < 0) throw new RangeError(`timecode: frame must be an integer ≥ 0, got ${frame}`);
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`timecode: fps must be positive, got ${fps}`);

  let drop = 0;
  let nominal = Math.max(1, Math.round(fps));
  if (Math.abs(fps - NTSC_30) < 0.01) {
    drop = 2;
    nominal = 30;
  } else if (Math.abs(fps - NTSC_60) < 0.01) {
    drop = 4;
    nominal = 60;
  }

  let n = frame;
  if (drop > 0) {
    const perMinute = nominal * 60 - drop; // frames in a minute that drops
    const perTenMinutes = nominal * 600 - drop * 9; // 17982 at 29.97
    const tens = Math.floor(n / perTenMinutes);
    const rest = n % perTenMinutes;
    // Renumber: add the frame numbers skipped so far (9 minutes × drop per full ten minutes, then
    // drop per minute started within the current ten, the first minute of which drops none).
    n += drop * 9 * tens + (rest > drop ? drop * Math.floor((rest - drop) / perMinute) : 0);
  }

  const ff = n % nominal;
  const totalSeconds = Math.floor(n / nominal);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}${drop > 0 ? ';' : ':'}${pad(ff)}`;
}

/** Seconds from frame 0 to `frame`: frame / fps, rounded to the millisecond. */
export function frameTime(frame: number, fps: number): number {
  if (!(fps > 0)) throw new RangeError(`frameTime: fps must be positive, got ${fps}`);
  return Math.round((frame / fps) * 1000) / 1000;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
