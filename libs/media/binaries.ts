// Where the ffmpeg and ffprobe executables are: an explicit override (config.video.ffmpegPath /
// ffprobePath, from FFMPEG_PATH / FFPROBE_PATH), else the static binaries the npm packages
// @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe install for this platform.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let bundledFfmpeg: string | undefined;
let bundledFfprobe: string | undefined;

/** The ffmpeg executable: `override` when given (non-empty), else the npm package's binary. */
export function ffmpegPath(override?: string | null): string {
  if (override) return override;
  bundledFfmpeg ??= (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  return bundledFfmpeg;
}

/** The ffprobe executable: `override` when given (non-empty), else the npm package's binary. */
export function ffprobePath(override?: string | null): string {
  if (override) return override;
  bundledFfprobe ??= (require('@ffprobe-installer/ffprobe') as { path: string }).path;
  return bundledFfprobe;
}
