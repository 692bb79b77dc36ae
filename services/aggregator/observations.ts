// Reading a job's observations back into one record per source.
//
// A video's faces are thinned as they are read (VideoFaceThinner): what the results need of a face
// stays, the rest (the thumbnails a track's better face superseded, the points of faces neither
// embedded nor shown) would grow with the video's length and is let go at once.
import type { FaceObservation, MediaInfo, MediaType, ObservationChunk } from '../../libs/jobs/types.js';
import { qualityOf } from '../../libs/tracking/face-tracker.js';

/**
 * An embedding as the aggregator holds it: as it came (a photo's), or a video face's in the 32-bit
 * floats the embedder made it in (2 kB, where a deserialised number[] of 512 takes 4 to 12 kB).
 */
export type Embedding = readonly number[] | Float32Array;

/** A face as the aggregator holds it. */
export type HeldFace = Omit<FaceObservation, 'embedding'> & { embedding: Embedding | null };

export interface ObservedSource {
  index: number;
  source: string;
  mediaType: MediaType;
  info: MediaInfo;
  embeddingModel: string;
  /** Faces by frame index, frames in ascending order. */
  frames: Map<number, HeldFace[]>;
  /** Video: sampled frames that begin a new shot (the decoder's shot-change detector). */
  cuts?: Set<number>;
}

export interface FailedSource {
  index: number;
  source: string;
  message: string;
}

export interface Observed {
  sources: ObservedSource[];
  failed: FailedSource[];
}

/** Folds the chunks of a job (in append order) into sources; a source without its end marker failed. */
export async function collectObservations(chunks: AsyncIterable<ObservationChunk>, sources: readonly string[]): Promise<Observed> {
  const open = new Map<number, ObservedSource>();
  const done = new Map<number, ObservedSource>();
  const failed = new Map<number, FailedSource>();
  const thinners = new Map<number, VideoFaceThinner>();
  for await (const chunk of chunks) {
    switch (chunk.kind) {
      case 'source-start':
        open.set(chunk.sourceIndex, { index: chunk.sourceIndex, source: chunk.source, mediaType: chunk.mediaType, info: chunk.info, embeddingModel: chunk.embeddingModel, frames: new Map() });
        if (chunk.mediaType === 'video') thinners.set(chunk.sourceIndex, new VideoFaceThinner(chunk.info.resolution[0], chunk.info.resolution[1]));
        else thinners.delete(chunk.sourceIndex);
        break;
      case 'frames': {
        const source = open.get(chunk.sourceIndex);
        if (!source) break;
        const thinner = thinners.get(chunk.sourceIndex);
        for (const frame of chunk.frames) {
          const faces = thinner ? frame.faces.map((face) => thinner.thin(face, frame.index)) : frame.faces;
          source.frames.set(frame.index, [...(source.frames.get(frame.index) ?? []), ...faces]);
          if (frame.cut) (source.cuts ??= new Set()).add(frame.index);
        }
        break;
      }
      case 'source-end': {
        const source = open.get(chunk.sourceIndex);
        thinners.delete(chunk.sourceIndex);
        if (source) {
          open.delete(chunk.sourceIndex);
          done.set(chunk.sourceIndex, source);
        }
        break;
      }
      case 'source-failed':
        open.delete(chunk.sourceIndex);
        thinners.delete(chunk.sourceIndex);
        failed.set(chunk.sourceIndex, { index: chunk.sourceIndex, source: chunk.source, message: chunk.message });
        break;
    }
  }
  sources.forEach((source, index) => {
    if (!done.has(index) && !failed.has(index)) failed.set(index, { index, source, message: 'the source was not fully processed' });
  });
  const byIndex = <T extends { index: number }>(a: T, b: T) => a.index - b.index;
  return {
    sources: [...done.values()].sort(byIndex).map((s) => ({ ...s, frames: new Map([...s.frames].sort((a, b) => a[0] - b[0])) })),
    failed: [...failed.values()].sort(byIndex),
  };
}

/**
 * Thins a video's faces as they are read to what the results need: every face keeps its box and
 * scores (the items' detections, the tracks' order and continuity) and its embedding (as a
 * Float32Array: the embedder's 32-bit floats, exactly); a face keeps its thumbnail only while it
 * is its track's best (the best quality, the earliest on ties: the face bestThumbnailFace of
 * video-results.ts picks, whichever tracks an appearance joins), and its points only while it is
 * embedded or holds a thumbnail (qualityOf weighs those).
 */
class VideoFaceThinner {
  /** Per track id: the face holding the track's best thumbnail so far. */
  private readonly best = new Map<number, { face: HeldFace; frameIndex: number; quality: number }>();

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}

  thin(observed: FaceObservation, frameIndex: number): HeldFace {
    const face: HeldFace = { ...observed, embedding: observed.embedding && Float32Array.from(observed.embedding) };
    if (face.thumbnail && face.trackId !== null) {
      const quality = qualityOf(face, this.width, this.height);
      const held = this.best.get(face.trackId);
      if (!held || quality > held.quality || (quality === held.quality && frameIndex < held.frameIndex)) {
        if (held) dropThumbnail(held.face);
        this.best.set(face.trackId, { face, frameIndex, quality });
      } else dropThumbnail(face);
    }
    if (!face.embedding && !face.thumbnail) face.landmarks = [];
    return face;
  }
}

function dropThumbnail(face: HeldFace): void {
  face.thumbnail = null;
  if (!face.embedding) face.landmarks = [];
}
