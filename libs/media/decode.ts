// Decodes a video's frames with ffmpeg as a child process, as a stream of RGB frames the consumer
// pulls one at a time.
//
// - Frame indices are 0-based indices of the decoded frames (frame 0 is the first frame whatever
//   the container's start time); every `step`-th one is kept (0, step, 2·step, …), selected inside
//   ffmpeg so unwanted frames are never converted or copied.
// - Frames come out upright (ffmpeg applies the container's rotation) at the display size, shrunk
//   to `maxSide` on the longer side when larger (even sizes, aspect kept).
// - Back-pressure: the generator reads ffmpeg's stdout only while the consumer asks for frames.
//   While it does not, stdout is not read, the pipe fills and ffmpeg blocks in write(): at most a
//   pipe buffer and one frame sit in memory, whatever the video's length.
// - `return()` / `throw()` on the generator or an aborted signal kill ffmpeg (SIGKILL); the
//   generator finishes only once the process has exited and been reaped.
//
// Errors (all MediaError, with ffmpeg's last stderr lines):
// - ffmpeg exits ≠ 0, or its output ends inside a frame: thrown after the frames that came out.
// - Truncated or corrupt file: ffmpeg often exits 0 after decoding what it could (e.g. an MP4
//   whose moov atom is at the front but whose data stops part-way: "partial file"). The frames it
//   decoded are yielded, then MediaError("truncated or corrupt video …") is thrown, so the caller
//   fails the source with that reason (after having seen, and possibly used, the frames before
//   the cut). A truncated MP4 whose moov atom was at the end (the usual layout of a cut download)
//   is refused by probeVideo instead ("moov atom not found"). Decoder errors that ffmpeg conceals
//   (damaged macroblocks in an otherwise complete stream) are not failures.
import { spawn } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MediaError, hidePath, lastLines } from './errors.js';
import type { VideoProbe } from './probe.js';
import { ToolStartError, runTool } from './run-tool.js';

export interface VideoFrame {
  /** 0-based index of the decoded frame in the video. */
  index: number;
  width: number;
  height: number;
  /** width × height × 3 bytes, RGB interleaved, row-major. Owned by the consumer. */
  rgb: Buffer;
}

export interface DecodeOptions {
  ffmpegPath: string;
  probe: VideoProbe;
  /** Keep every step-th decoded frame (indices 0, step, 2·step, …); integer ≥ 1. */
  step: number;
  /** Longest side of the frames handed out, in px; larger videos are scaled down. */
  maxSide: number;
  signal?: AbortSignal;
  /** Called with ffmpeg's process id once it started (diagnostics and tests). */
  onSpawn?: (pid: number) => void;
}

/** Frame step for sampling a frame about every `sampleSeconds`: 15 at 29.97 fps and 0.5 s, 12 at 25 fps. */
export function samplingStep(fps: number, sampleSeconds: number): number {
  if (!(fps > 0) || !(sampleSeconds > 0)) throw new RangeError(`samplingStep: fps and sampleSeconds must be positive (got ${fps}, ${sampleSeconds})`);
  // Nearest integer, a tie going to the smaller step (sampling at least as often as asked).
  return Math.max(1, Math.ceil(fps * sampleSeconds - 0.5 - 1e-9));
}

/** Size of the frames decodeFrames hands out for this video and maxSide. */
export function outputSize(probe: Pick<VideoProbe, 'width' | 'height'>, maxSide: number): { width: number; height: number } {
  const { width, height } = probe;
  const longer = Math.max(width, height);
  if (longer <= maxSide) return { width, height };
  const target = Math.max(2, maxSide - (maxSide % 2));
  const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);
  return width >= height
    ? { width: target, height: Math.min(target, even((height * target) / width)) }
    : { width: Math.min(target, even((width * target) / height)), height: target };
}

/** ffmpeg messages at level "error" that mean it stopped reading before the end of the file. */
const TRUNCATION = /partial file|Invalid data found when processing input|End of file|unexpected end|truncat/i;

export async function* decodeFrames(file: string, opts: DecodeOptions): AsyncGenerator<VideoFrame, void, undefined> {
  const { probe, step, maxSide, signal } = opts;
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`decodeFrames: step must be an integer ≥ 1, got ${step}`);
  if (!(maxSide >= 2)) throw new RangeError(`decodeFrames: maxSide must be ≥ 2, got ${maxSide}`);
  signal?.throwIfAborted();

  const abs = resolve(file);
  const name = basename(abs);
  const { width, height } = outputSize(probe, maxSide);
  const frameSize = width * height * 3;
  // What ffmpeg produces without a scale filter: the stored size, turned by the rotation.
  const swap = probe.rotation === 90 || probe.rotation === 270;
  const naturalW = swap ? probe.codedHeight : probe.codedWidth;
  const naturalH = swap ? probe.codedWidth : probe.codedHeight;
  const filters: string[] = [];
  if (step > 1) filters.push(`select='not(mod(n\\,${step}))'`);
  if (width !== naturalW || height !== naturalH) filters.push(`scale=${width}:${height}`);

  const args = ['-nostdin', '-v', 'error', '-i', `file:${abs}`, '-map', '0:V:0', '-an', '-sn', '-dn'];
  if (filters.length > 0) args.push('-vf', filters.join(','));
  // -vsync 0 (passthrough): one output frame per selected decoded frame, none duplicated or
  // dropped to fit a constant rate (this ffmpeg predates -fps_mode).
  args.push('-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  const child = spawn(opts.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let startError: unknown = null;
  child.once('error', (err) => {
    startError = err;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('close', (code, sig) => res({ code, signal: sig }));
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
  });
  child.stdout.on('error', () => {}); // surfaced through the exit status
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);

  let produced = 0;
  let frame: Buffer | null = null;
  let filled = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        frame ??= Buffer.allocUnsafe(frameSize);
        const n = Math.min(frameSize - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameSize) {
          const rgb = frame;
          frame = null;
          filled = 0;
          signal?.throwIfAborted();
          yield { index: produced * step, width, height, rgb };
          produced++;
          signal?.throwIfAborted();
        }
      }
    }
    const status = await exited;
    signal?.throwIfAborted();
    if (startError !== null && child.pid === undefined) throw new ToolStartError(opts.ffmpegPath, startError);
    const said = hidePath(lastLines(stderr), abs, name);
    if (status.code !== 0) {
      const how = status.signal ? `was killed (${status.signal})` : `exited with code ${status.code}`;
      throw new MediaError(`cannot decode ${name}: ffmpeg ${how} after ${produced} frame(s)${said ? `: ${said}` : ''}`);
    }
    if (filled > 0) {
      throw new MediaError(`cannot decode ${name}: ffmpeg's output ended inside a frame (${filled} of ${frameSize} bytes)${said ? `: ${said}` : ''}`);
    }
    const expected = Math.ceil(probe.totalFrames / step);
    const short = produced < Math.floor(expected * 0.98) - 1;
    if (said && (TRUNCATION.test(stderr) || short)) {
      throw new MediaError(
        `truncated or corrupt video ${name}: decoding stopped after ${produced} of ~${expected} sampled frames (frame ${Math.max(0, produced - 1) * step} of ~${probe.totalFrames}): ${said}`,
      );
    }
  } finally {
    signal?.removeEventListener('abort', kill);
    kill();
    child.stdout.destroy();
    await exited;
  }
}

/**
 * Decodes every frame of the video and throws the pictures away (`-f null`): how fast this machine
 * can decode it at all, the ceiling of any pipeline built on decodeFrames.
 */
export async function decodeOnly(
  file: string,
  opts: { ffmpegPath: string; signal?: AbortSignal },
): Promise<{ frames: number; seconds: number }> {
  const abs = resolve(file);
  const name = basename(abs);
  const args = ['-nostdin', '-v', 'error', '-nostats', '-i', `file:${abs}`, '-map', '0:V:0', '-an', '-sn', '-dn', '-vsync', '0', '-progress', 'pipe:1', '-f', 'null', '-'];
  const started = performance.now();
  const result = await runTool(opts.ffmpegPath, args, { signal: opts.signal });
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) {
    const said = hidePath(lastLines(result.stderr), abs, name);
    throw new MediaError(`cannot decode ${name}: ffmpeg exited with code ${result.code}${said ? `: ${said}` : ''}`);
  }
  const counts = [...result.stdout.matchAll(/^frame=(\d+)\s*$/gm)];
  const last = counts[counts.length - 1]?.[1];
  if (last === undefined) throw new MediaError(`cannot decode ${name}: ffmpeg reported no frame count`);
  return { frames: Number(last), seconds };
}
