// libs/media without the shared clip: step/size arithmetic, binaries, and files that are not videos.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath, ffprobePath } from '../../libs/media/binaries.js';
import { decodeFrames, outputSize, samplingStep } from '../../libs/media/decode.js';
import { MediaError } from '../../libs/media/errors.js';
import { probeVideo, type VideoProbe } from '../../libs/media/probe.js';
import { ToolStartError } from '../../libs/media/run-tool.js';

const FFMPEG = ffmpegPath(process.env.FFMPEG_PATH);
const FFPROBE = ffprobePath(process.env.FFPROBE_PATH);

describe('samplingStep', () => {
  it('is round(fps × sampleSeconds), at least 1, a tie going to the denser sampling', () => {
    expect(samplingStep(30000 / 1001, 0.5)).toBe(15);
    expect(samplingStep(29.97, 0.5)).toBe(15);
    expect(samplingStep(25, 0.5)).toBe(12);
    expect(samplingStep(24000 / 1001, 0.5)).toBe(12);
    expect(samplingStep(60000 / 1001, 0.5)).toBe(30);
    expect(samplingStep(50, 0.5)).toBe(25);
    expect(samplingStep(30, 1)).toBe(30);
    expect(samplingStep(25, 0.01)).toBe(1);
    expect(samplingStep(1, 0.1)).toBe(1);
    expect(() => samplingStep(0, 0.5)).toThrow(RangeError);
  });
});

describe('outputSize', () => {
  it('keeps a size that fits, shrinks the longer side to maxSide with even sizes and the aspect kept', () => {
    expect(outputSize({ width: 640, height: 360 }, 1920)).toEqual({ width: 640, height: 360 });
    expect(outputSize({ width: 1920, height: 1080 }, 1920)).toEqual({ width: 1920, height: 1080 });
    expect(outputSize({ width: 1920, height: 1080 }, 1280)).toEqual({ width: 1280, height: 720 });
    expect(outputSize({ width: 1080, height: 1920 }, 1280)).toEqual({ width: 720, height: 1280 });
    expect(outputSize({ width: 3840, height: 2160 }, 1920)).toEqual({ width: 1920, height: 1080 });
    expect(outputSize({ width: 4000, height: 1714 }, 1001)).toEqual({ width: 1000, height: 428 });
    expect(outputSize({ width: 5000, height: 10 }, 640)).toEqual({ width: 640, height: 2 });
  });
});

describe('binaries', () => {
  it('uses the override, else the npm packages’ static binaries', () => {
    expect(ffmpegPath('/opt/ffmpeg')).toBe('/opt/ffmpeg');
    expect(ffprobePath('/opt/ffprobe')).toBe('/opt/ffprobe');
    expect(ffmpegPath(null)).toMatch(/ffmpeg$/);
    expect(existsSync(ffmpegPath())).toBe(true);
    expect(existsSync(ffprobePath(''))).toBe(true);
  });
});

describe('files that are not videos', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facerec-media-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a text file named .mp4 is a MediaError quoting ffprobe, without the server path', async () => {
    const file = join(dir, 'notes.mp4');
    await writeFile(file, 'this is not a video\n'.repeat(20));
    const err = await probeVideo(file, { ffprobePath: FFPROBE }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).name).toBe('MediaError');
    expect((err as Error).message).toMatch(/^not a readable video file \(notes\.mp4\): /);
    expect((err as Error).message).toMatch(/moov atom not found|Invalid data/);
    expect((err as Error).message).not.toContain(dir);
  });

  it('a 0-byte file is a MediaError', async () => {
    const file = join(dir, 'empty.mp4');
    await writeFile(file, '');
    await expect(probeVideo(file, { ffprobePath: FFPROBE })).rejects.toThrow(/empty file \(0 bytes\)/);
    await expect(probeVideo(file, { ffprobePath: FFPROBE })).rejects.toBeInstanceOf(MediaError);
  });

  it('a missing file is a MediaError', async () => {
    await expect(probeVideo(join(dir, 'gone.mp4'), { ffprobePath: FFPROBE })).rejects.toThrow(/file not found: gone\.mp4/);
  });

  it('an audio-only file has no video stream', async () => {
    const file = join(dir, 'tone.mp3');
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', file]);
    await expect(probeVideo(file, { ffprobePath: FFPROBE })).rejects.toThrow(/no video stream \(audio only\?\)/);
  });

  it('a hanging ffprobe is killed at the timeout', async () => {
    const fake = join(dir, 'hanging-ffprobe.sh');
    await writeFile(fake, '#!/bin/sh\nexec sleep 30\n');
    await chmod(fake, 0o755);
    const file = join(dir, 'some.mp4');
    await writeFile(file, 'x');
    const t0 = Date.now();
    await expect(probeVideo(file, { ffprobePath: fake, timeoutMs: 300 })).rejects.toThrow('reading some.mp4 timed out after 300 ms (ffprobe killed)');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a missing ffprobe/ffmpeg binary is a ToolStartError (a deployment fault, not the file’s)', async () => {
    const file = join(dir, 'some2.mp4');
    await writeFile(file, 'x');
    await expect(probeVideo(file, { ffprobePath: join(dir, 'no-ffprobe') })).rejects.toBeInstanceOf(ToolStartError);
    const probe: VideoProbe = fakeProbe();
    const frames = decodeFrames(file, { ffmpegPath: join(dir, 'no-ffmpeg'), probe, step: 1, maxSide: 1920 });
    await expect(frames.next()).rejects.toBeInstanceOf(ToolStartError);
  });

  it('decoding a file ffmpeg cannot read throws MediaError with ffmpeg’s message', async () => {
    const file = join(dir, 'junk.mp4');
    await writeFile(file, 'junk '.repeat(100));
    const frames = decodeFrames(file, { ffmpegPath: FFMPEG, probe: fakeProbe(), step: 1, maxSide: 1920 });
    const err = await frames.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).message).toMatch(/^cannot decode junk\.mp4: ffmpeg exited with code 1 after 0 frame\(s\): .*(moov atom not found|Invalid data)/);
    expect((err as Error).message).not.toContain(dir);
  });

  it('rejects a bad step before starting ffmpeg', async () => {
    const frames = decodeFrames('x.mp4', { ffmpegPath: FFMPEG, probe: fakeProbe(), step: 0, maxSide: 1920 });
    await expect(frames.next()).rejects.toThrow(RangeError);
  });

  async function runFfmpeg(args: string[]): Promise<void> {
    const { execFile } = await import('node:child_process');
    await new Promise<void>((res, rej) =>
      execFile(FFMPEG, ['-nostdin', '-v', 'error', '-y', ...args], (err) => (err ? rej(err) : res())),
    );
  }
});

function fakeProbe(): VideoProbe {
  return {
    width: 64, height: 48, codedWidth: 64, codedHeight: 48, rotation: 0, fps: 25, fpsText: '25/1',
    variableFrameRate: false, duration: 1, totalFrames: 25, codec: 'h264',
  };
}
