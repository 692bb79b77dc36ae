// What a video file holds, from ffprobe: frame size (as displayed), rotation, frame rate, duration
// and frame count of its first video stream. Anything that is not a decodable video is a
// MediaError with a message a person can act on.
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { MediaError, cleanToolLine, hidePath } from './errors.js';
import { runTool, type ToolResult } from './run-tool.js';

export interface VideoProbe {
  /** Size of the frames as displayed: after rotation and after correcting non-square pixels. */
  width: number;
  height: number;
  /** Size of the frames as stored in the stream (before rotation and pixel-aspect correction). */
  codedWidth: number;
  codedHeight: number;
  /**
   * Rotation the container asks for, as ffprobe reports it (display matrix, else the legacy
   * `rotate` tag), snapped to a quarter turn. A file written with `-metadata:s:v rotate=90` reads
   * back as 90. ffmpeg applies it itself when decoding; for this library only whether it swaps
   * width and height matters.
   */
  rotation: 0 | 90 | 180 | 270;
  /** Frames per second (average rate); NTSC rates are exact: 29.97002997…, not 29.97. */
  fps: number;
  /** The rate as a fraction, e.g. "30000/1001", "25/1". */
  fpsText: string;
  /** Average and nominal (r_frame_rate) rates differ by more than 1 %. */
  variableFrameRate: boolean;
  /** Seconds, of the video stream (else of the container). */
  duration: number;
  /** Frames in the video stream: the container's count, else counted packets, else duration × fps. */
  totalFrames: number;
  /** ffprobe's codec name: h264, hevc, vp9, av1, prores… */
  codec: string;
}

export interface ProbeOptions {
  ffprobePath: string;
  /** Whole probe, all ffprobe runs together; 30 s by default. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const PROBE_TIMEOUT_MS = 30_000;

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number | string }>;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; format_name?: string };
}

/**
 * NTSC rates. Containers often store them rounded (29.97 is written "2997/100"); a timecode is only
 * right with the exact rate, and a rate within 0.01 fps of one of these is that rate.
 */
const NTSC_BASES = [24, 30, 48, 60, 120] as const;

export async function probeVideo(file: string, opts: ProbeOptions): Promise<VideoProbe> {
  const abs = resolve(file);
  const name = basename(abs);
  const deadline = Date.now() + (opts.timeoutMs ?? PROBE_TIMEOUT_MS);

  let size: number;
  try {
    const st = await stat(abs);
    if (!st.isFile()) throw new MediaError(`${name} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof MediaError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new MediaError(code === 'ENOENT' ? `file not found: ${name}` : `cannot read ${name}: ${code ?? String(err)}`, { cause: err });
  }
  if (size === 0) throw new MediaError(`empty file (0 bytes): ${name} is not a video`);

  // `file:` keeps a name such as "http:x.mp4" or "-y.mp4" from being read as a protocol or option.
  // `V` (capital) skips attached pictures: an MP3's cover art is not a video.
  const input = `file:${abs}`;
  const run = async (args: string[]): Promise<ToolResult> => {
    const left = deadline - Date.now();
    if (left <= 0) throw timeoutError();
    const result = await runTool(opts.ffprobePath, [...args, input], { timeoutMs: left, signal: opts.signal });
    if (result.timedOut) throw timeoutError();
    return result;
  };
  const timeoutError = (): MediaError => {
    const ms = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
    return new MediaError(`reading ${name} timed out after ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`} (ffprobe killed)`);
  };

  const result = await run(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-select_streams', 'V:0']);
  if (result.code !== 0) {
    throw new MediaError(`not a readable video file (${name}): ${firstError(result, abs, name)}`);
  }
  let parsed: FfprobeOutput;
  try {
    parsed = JSON.parse(result.stdout) as FfprobeOutput;
  } catch (err) {
    throw new MediaError(`not a readable video file (${name}): ffprobe gave no readable answer`, { cause: err });
  }
  const stream = parsed.streams?.find((s) => s.codec_type === 'video');
  if (!stream) throw new MediaError(`no video stream (audio only?) in ${name}`);

  const codedWidth = Math.trunc(Number(stream.width ?? 0));
  const codedHeight = Math.trunc(Number(stream.height ?? 0));
  if (!(codedWidth > 0 && codedHeight > 0)) {
    throw new MediaError(`the video stream of ${name} has no frame size (${codedWidth}x${codedHeight})`);
  }

  const rotation = readRotation(stream);
  // Non-square pixels (anamorphic SD): the displayed width is the stored one times the pixel aspect.
  let upright = { w: codedWidth, h: codedHeight };
  const sar = parseRatio(stream.sample_aspect_ratio, ':');
  if (sar !== null && sar > 0 && Math.abs(sar - 1) > 1e-3) upright = { w: Math.max(1, Math.round(codedWidth * sar)), h: codedHeight };
  const swap = rotation === 90 || rotation === 270;
  const width = swap ? upright.h : upright.w;
  const height = swap ? upright.w : upright.h;

  const avg = parseRatio(stream.avg_frame_rate, '/');
  const nominal = parseRatio(stream.r_frame_rate, '/');
  const useAvg = avg !== null && avg > 0;
  let fps = useAvg ? avg : nominal !== null && nominal > 0 ? nominal : null;
  if (fps === null || !Number.isFinite(fps)) {
    throw new MediaError(`the video stream of ${name} has no frame rate (avg_frame_rate ${stream.avg_frame_rate ?? '?'}, r_frame_rate ${stream.r_frame_rate ?? '?'})`);
  }
  let fpsText = (useAvg ? stream.avg_frame_rate : stream.r_frame_rate) ?? String(fps);
  for (const base of NTSC_BASES) {
    const exact = (base * 1000) / 1001;
    if (Math.abs(fps - exact) < 0.01) {
      fps = exact;
      fpsText = `${base * 1000}/1001`;
      break;
    }
  }
  const variableFrameRate = avg !== null && avg > 0 && nominal !== null && nominal > 0 && Math.abs(avg - nominal) / nominal > 0.01;

  let duration = positive(Number(stream.duration)) ?? positive(Number(parsed.format?.duration));
  let totalFrames = positiveInt(stream.nb_frames);
  if (totalFrames === null) {
    // Matroska/WebM and streamed formats carry no frame count: count the packets (demuxing only).
    try {
      const counted = await run(['-v', 'error', '-count_packets', '-select_streams', 'V:0', '-show_entries', 'stream=nb_read_packets', '-print_format', 'json']);
      if (counted.code === 0) {
        const s = (JSON.parse(counted.stdout) as FfprobeOutput).streams?.[0];
        totalFrames = positiveInt(s?.nb_read_packets);
      }
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      // out of time or unreadable: fall back on duration × fps below
    }
  }
  if (totalFrames === null && duration !== null) totalFrames = Math.max(1, Math.round(duration * fps));
  if (totalFrames === null) throw new MediaError(`cannot tell how long ${name} is (no duration, no frame count)`);
  duration ??= totalFrames / fps;

  return {
    width,
    height,
    codedWidth,
    codedHeight,
    rotation,
    fps,
    fpsText,
    variableFrameRate,
    duration,
    totalFrames,
    codec: stream.codec_name ?? 'unknown',
  };
}

function readRotation(stream: FfprobeStream): 0 | 90 | 180 | 270 {
  let degrees: number | null = null;
  for (const sd of stream.side_data_list ?? []) {
    if (sd.rotation !== undefined && Number.isFinite(Number(sd.rotation))) {
      degrees = Number(sd.rotation);
      break;
    }
  }
  if (degrees === null && stream.tags?.rotate !== undefined && Number.isFinite(Number(stream.tags.rotate))) {
    degrees = Number(stream.tags.rotate);
  }
  if (degrees === null) return 0;
  const quarter = Math.round(degrees / 90);
  // ffmpeg only turns frames by (near) quarter turns; anything else is displayed unrotated.
  if (Math.abs(degrees - quarter * 90) > 1) return 0;
  return ((((quarter % 4) + 4) % 4) * 90) as 0 | 90 | 180 | 270;
}

function parseRatio(text: string | undefined, sep: string): number | null {
  if (!text) return null;
  const [a, b] = text.split(sep);
  const num = Number(a);
  const den = b === undefined ? 1 : Number(b);
  if (!Number.isFinite(num) || !Number.isFinite(den) || den === 0) return null;
  return num / den;
}

function positive(n: number): number | null {
  return Number.isFinite(n) && n > 0 ? n : null;
}

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text);
  return n > 0 ? n : null;
}

/** ffprobe's first error line, without the "[mov,mp4 @ 0x55…]" pointer noise or the server path. */
function firstError(result: ToolResult, abs: string, name: string): string {
  const line = result.stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!line) {
    return result.signal ? `ffprobe was killed (${result.signal})` : `ffprobe exited with code ${result.code} and no message`;
  }
  let message = hidePath(cleanToolLine(line), abs, name);
  if (/moov atom not found/i.test(message)) message += ' (truncated or incomplete MP4/MOV, or not a video at all)';
  return message;
}
