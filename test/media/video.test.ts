// libs/media on the shared real clip (video/short_hamilton_clip.mp4) and on fixtures made from it
// at test time, in a temp dir, with the bundled ffmpeg (never committed).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../libs/media/binaries.js';
import { decodeFrames, decodeOnly, samplingStep, type VideoFrame } from '../../libs/media/decode.js';
import { MediaError } from '../../libs/media/errors.js';
import { probeVideo } from '../../libs/media/probe.js';
import { sharedDataFile } from '../support/shared-data.js';

const FFMPEG = ffmpegPath(process.env.FFMPEG_PATH);
const FFPROBE = ffprobePath(process.env.FFPROBE_PATH);
const CLIP = sharedDataFile('faces/video/short_hamilton_clip.mp4');
const MB = 1024 * 1024;

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((res, rej) =>
    execFile(FFMPEG, ['-nostdin', '-v', 'error', '-y', ...args], { maxBuffer: 16 * MB }, (err, _out, stderr) =>
      err ? rej(new Error(`ffmpeg ${args.join(' ')}: ${stderr}`)) : res(),
    ),
  );
}

async function collect(gen: AsyncGenerator<VideoFrame>): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const f of gen) frames.push(f);
  return frames;
}

/** The first frame as ffmpeg itself writes it to PNG (-frames:v 1), decoded by sharp. */
async function referenceFrame(file: string, out: string): Promise<{ data: Buffer; width: number; height: number }> {
  await ffmpeg(['-i', file, '-map', '0:v:0', '-frames:v', '1', out]);
  const { data, info } = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** The process exists (a zombie counts: it has not been reaped). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** CPU time (clock ticks, user + system, all threads) and state of a process, from /proc. */
function procStat(pid: number): { ticks: number; state: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

describe.skipIf(CLIP === null)('video: the real clip and fixtures made from it', () => {
  const clip = CLIP!;
  let dir = '';
  const fx = {
    rotated: '', big: '', truncated: '', faststartTruncated: '', long: '', mkv: '', anamorphic: '',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facerec-video-'));
    fx.rotated = join(dir, 'rotated.mp4');
    await ffmpeg(['-i', clip, '-metadata:s:v', 'rotate=90', '-c', 'copy', fx.rotated]);
    fx.big = join(dir, 'big-1080p.mp4');
    // -vsync 0: without it this ffmpeg pads the stream's 0.85 s start offset with 25 duplicated frames
    await ffmpeg(['-i', clip, '-map', '0:v:0', '-vsync', '0', '-vf', 'scale=1920:1080', '-c:v', 'libx264', '-preset', 'ultrafast', fx.big]);
    // The clip as downloaded: moov atom at the end, so its first 40 % has no index at all.
    const bytes = await readFile(clip);
    fx.truncated = join(dir, 'truncated.mp4');
    await writeFile(fx.truncated, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    // The same cut of a "fast start" copy (moov first): readable, but the data stops part-way.
    const faststart = join(dir, 'faststart.mp4');
    await ffmpeg(['-i', clip, '-c', 'copy', '-movflags', '+faststart', faststart]);
    const fsBytes = await readFile(faststart);
    fx.faststartTruncated = join(dir, 'faststart-truncated.mp4');
    await writeFile(fx.faststartTruncated, fsBytes.subarray(0, Math.floor(fsBytes.length * 0.4)));
    fx.long = join(dir, 'long.mp4');
    await ffmpeg(['-stream_loop', '19', '-i', clip, '-map', '0:v:0', '-c', 'copy', fx.long]);
    fx.mkv = join(dir, 'clip.mkv');
    await ffmpeg(['-i', clip, '-map', '0:v:0', '-c', 'copy', fx.mkv]);
    fx.anamorphic = join(dir, 'anamorphic.mp4');
    await ffmpeg(['-i', clip, '-map', '0:v:0', '-vsync', '0', '-frames:v', '30', '-vf', 'scale=320:180,setsar=4/3', '-c:v', 'libx264', '-preset', 'ultrafast', fx.anamorphic]);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('probeVideo', () => {
    it('reads the real clip', async () => {
      const p = await probeVideo(clip, { ffprobePath: FFPROBE });
      expect(p).toMatchObject({ width: 640, height: 360, codedWidth: 640, codedHeight: 360, rotation: 0 });
      expect(p.fps).toBeCloseTo(29.97002997, 6);
      expect(p.fpsText).toBe('30000/1001'); // stored as 2997/100: an NTSC rate, made exact
      expect(p.variableFrameRate).toBe(false);
      expect(p.totalFrames).toBe(275);
      expect(p.duration).toBeCloseTo(9.18, 2);
      expect(p.codec).toBe('h264');
      expect(samplingStep(p.fps, 0.5)).toBe(15);
    });

    it('a rotated copy is displayed 360x640', async () => {
      const p = await probeVideo(fx.rotated, { ffprobePath: FFPROBE });
      expect(p).toMatchObject({ rotation: 90, width: 360, height: 640, codedWidth: 640, codedHeight: 360, totalFrames: 275 });
    });

    it('a Matroska copy (no frame count in the container) has its packets counted', async () => {
      const p = await probeVideo(fx.mkv, { ffprobePath: FFPROBE });
      expect(p.totalFrames).toBe(275);
      expect(p.fpsText).toBe('30000/1001');
      expect(p.duration).toBeGreaterThan(9);
    });

    it('non-square pixels are corrected in the display size', async () => {
      const p = await probeVideo(fx.anamorphic, { ffprobePath: FFPROBE });
      expect(p).toMatchObject({ codedWidth: 320, codedHeight: 180, width: 427, height: 180, totalFrames: 30 });
    });

    it('a truncated MP4 (first 40 %, moov atom at the end) is refused with a useful MediaError', async () => {
      const err = await probeVideo(fx.truncated, { ffprobePath: FFPROBE }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect((err as Error).message).toMatch(/^not a readable video file \(truncated\.mp4\): .*moov atom not found.*truncated/);
      console.info(`truncated.mp4 → ${(err as Error).message}`);
    });
  });

  describe('decodeFrames', () => {
    it('the real clip at step 15: frames 0, 15, …, 270 of 640x360, frame 0 as ffmpeg writes it', async () => {
      const probe = await probeVideo(clip, { ffprobePath: FFPROBE });
      const frames = await collect(decodeFrames(clip, { ffmpegPath: FFMPEG, probe, step: 15, maxSide: 1920 }));
      expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 19 }, (_, k) => k * 15));
      for (const f of frames) expect([f.width, f.height, f.rgb.length]).toEqual([640, 360, 640 * 360 * 3]);
      const ref = await referenceFrame(clip, join(dir, 'clip-frame0.png'));
      expect([ref.width, ref.height]).toEqual([640, 360]);
      expect(meanAbsDiff(frames[0]!.rgb, ref.data)).toBeLessThan(2);
      // frames differ from each other: they are really different frames
      expect(meanAbsDiff(frames[0]!.rgb, frames[10]!.rgb)).toBeGreaterThan(5);
    });

    it('step 1 gives every one of the 275 frames', async () => {
      const probe = await probeVideo(clip, { ffprobePath: FFPROBE });
      const frames = await collect(decodeFrames(clip, { ffmpegPath: FFMPEG, probe, step: 1, maxSide: 1920 }));
      expect(frames.length).toBe(275);
      expect(frames[274]!.index).toBe(274);
    });

    it('a rotated copy comes out upright, 360x640', async () => {
      const probe = await probeVideo(fx.rotated, { ffprobePath: FFPROBE });
      const frames = await collect(decodeFrames(fx.rotated, { ffmpegPath: FFMPEG, probe, step: 15, maxSide: 1920 }));
      expect(frames.length).toBe(19);
      for (const f of frames) expect([f.width, f.height, f.rgb.length]).toEqual([360, 640, 360 * 640 * 3]);
      const ref = await referenceFrame(fx.rotated, join(dir, 'rotated-frame0.png'));
      expect([ref.width, ref.height]).toEqual([360, 640]);
      expect(meanAbsDiff(frames[0]!.rgb, ref.data)).toBeLessThan(2);
    });

    it('a 1920x1080 video with maxSide 1280 comes out 1280x720', async () => {
      const probe = await probeVideo(fx.big, { ffprobePath: FFPROBE });
      expect(probe).toMatchObject({ width: 1920, height: 1080, totalFrames: 275 });
      const frames = await collect(decodeFrames(fx.big, { ffmpegPath: FFMPEG, probe, step: 15, maxSide: 1280 }));
      expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 19 }, (_, k) => k * 15));
      for (const f of frames) expect([f.width, f.height, f.rgb.length]).toEqual([1280, 720, 1280 * 720 * 3]);
    });

    it('non-square pixels come out square (427x180)', async () => {
      const probe = await probeVideo(fx.anamorphic, { ffprobePath: FFPROBE });
      const frames = await collect(decodeFrames(fx.anamorphic, { ffmpegPath: FFMPEG, probe, step: 10, maxSide: 1920 }));
      expect(frames.map((f) => [f.index, f.width, f.height, f.rgb.length])).toEqual([0, 10, 20].map((i) => [i, 427, 180, 427 * 180 * 3]));
    });

    it('a truncated file whose moov atom is at the front yields what decodes, then throws "truncated or corrupt"', async () => {
      const probe = await probeVideo(fx.faststartTruncated, { ffprobePath: FFPROBE });
      expect(probe.totalFrames).toBe(275); // the index still promises every frame
      const frames: VideoFrame[] = [];
      let error: unknown = null;
      try {
        for await (const f of decodeFrames(fx.faststartTruncated, { ffmpegPath: FFMPEG, probe, step: 15, maxSide: 1920 })) frames.push(f);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(MediaError);
      expect((error as Error).message).toMatch(/^truncated or corrupt video faststart-truncated\.mp4: decoding stopped after \d+ of ~19 sampled frames .*partial file/);
      expect((error as Error).message).not.toContain(dir);
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.length).toBeLessThan(19);
      expect(frames.map((f) => f.index)).toEqual(frames.map((_, k) => k * 15));
      console.info(`faststart-truncated.mp4 → ${frames.length} frames, then: ${(error as Error).message}`);
    });
  });

  describe('a long video (the clip 20×, ≈ 3 min): memory, back-pressure, cancellation', () => {
    it('step 15 with a slow consumer: all 367 frames, rss stays flat', async () => {
      const probe = await probeVideo(fx.long, { ffprobePath: FFPROBE });
      expect(probe.totalFrames).toBe(5500);
      expect((await stat(fx.long)).size).toBeGreaterThan(8 * MB);
      let count = 0;
      let lastIndex = -15;
      let baseline = 0;
      let peak = 0;
      for await (const f of decodeFrames(fx.long, { ffmpegPath: FFMPEG, probe, step: 15, maxSide: 1920 })) {
        expect(f.index).toBe(lastIndex + 15);
        lastIndex = f.index;
        count++;
        const rss = process.memoryUsage().rss;
        if (count === 5) baseline = rss;
        if (count > 5) peak = Math.max(peak, rss);
        await sleep(2);
      }
      expect(count).toBe(Math.ceil(5500 / 15));
      console.info(`long.mp4 step 15: rss baseline ${(baseline / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB`);
      expect(peak - baseline).toBeLessThan(60 * MB);
    });

    it('while the consumer does not pull, ffmpeg is blocked and memory does not grow; return() kills it', async () => {
      const probe = await probeVideo(fx.long, { ffprobePath: FFPROBE });
      let pid = 0;
      // step 1: ≈ 1.5 GB of RGB a second if ffmpeg were left to run ahead
      const frames = decodeFrames(fx.long, { ffmpegPath: FFMPEG, probe, step: 1, maxSide: 1920, onSpawn: (p) => (pid = p) });
      for (let i = 0; i < 30; i++) expect((await frames.next()).value?.index).toBe(i);
      expect(pid).toBeGreaterThan(0);
      const rssBefore = process.memoryUsage().rss;
      await sleep(200); // let ffmpeg fill the pipe and block
      const before = procStat(pid);
      await sleep(800);
      const after = procStat(pid);
      const rssAfter = process.memoryUsage().rss;
      expect(rssAfter - rssBefore).toBeLessThan(60 * MB);
      if (before && after) {
        // blocked in write(): no CPU time spent (clock ticks are 10 ms), sleeping
        expect(after.ticks - before.ticks).toBeLessThanOrEqual(3);
        expect(after.state).toBe('S');
      }
      for (let i = 30; i < 60; i++) expect((await frames.next()).value?.index).toBe(i);
      expect(processExists(pid)).toBe(true);
      await frames.return(undefined);
      expect(processExists(pid)).toBe(false); // killed and reaped: no zombie
      expect(await frames.next()).toEqual({ done: true, value: undefined });
    });

    it('an abort kills ffmpeg and ends the frames with the abort reason', async () => {
      const probe = await probeVideo(fx.long, { ffprobePath: FFPROBE });
      const controller = new AbortController();
      let pid = 0;
      const frames = decodeFrames(fx.long, { ffmpegPath: FFMPEG, probe, step: 15, maxSide: 1920, signal: controller.signal, onSpawn: (p) => (pid = p) });
      expect((await frames.next()).value?.index).toBe(0);
      expect((await frames.next()).value?.index).toBe(15);
      controller.abort();
      const err = await frames.next().catch((e: unknown) => e);
      expect((err as Error).name).toBe('AbortError');
      expect(processExists(pid)).toBe(false);
    });

    it('an aborted signal starts nothing', async () => {
      const probe = await probeVideo(clip, { ffprobePath: FFPROBE });
      let spawned = false;
      const frames = decodeFrames(clip, { ffmpegPath: FFMPEG, probe, step: 15, maxSide: 1920, signal: AbortSignal.abort(), onSpawn: () => (spawned = true) });
      await expect(frames.next()).rejects.toMatchObject({ name: 'AbortError' });
      expect(spawned).toBe(false);
    });
  });

  describe('decodeOnly', () => {
    it('decodes all 275 frames of the clip', async () => {
      const r = await decodeOnly(clip, { ffmpegPath: FFMPEG });
      expect(r.frames).toBe(275);
      expect(r.seconds).toBeGreaterThan(0);
      console.info(`decodeOnly clip: ${r.frames} frames in ${r.seconds.toFixed(3)} s = ${(r.frames / r.seconds).toFixed(0)} frames/s`);
    });

    it('fails with a MediaError on a file ffmpeg cannot read', async () => {
      await expect(decodeOnly(fx.truncated, { ffmpegPath: FFMPEG })).rejects.toThrow(/^cannot decode truncated\.mp4: ffmpeg exited with code 1: .*moov atom not found/);
    });
  });
});

