// Video input for the pipeline: locating ffmpeg/ffprobe, probing, decoding frames, timecodes.
export { ffmpegPath, ffprobePath } from './binaries.js';
export { MediaError } from './errors.js';
export { probeVideo, PROBE_TIMEOUT_MS, type ProbeOptions, type VideoProbe } from './probe.js';
export { decodeFrames, decodeOnly, outputSize, samplingStep, type DecodeOptions, type VideoFrame } from './decode.js';
export { ToolStartError } from './run-tool.js';
export { frameTime, timecode } from './timecode.js';
