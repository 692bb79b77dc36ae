// Reading a job's observations back into one record per source.
//
// A video's faces are folded into its tracks as they are read (track-fold.ts): what the results
// need of a face stays, the rest (its embedding, the thumbnails a track's better face superseded,
// points) would grow with the video's length and is let go at once.
import type { FaceObservation, MediaInfo, MediaType, ObservationChunk } from '../../libs/jobs/types.js';
import { MAX_EMBEDDINGS_PER_PERSON } from './identity-index.js';
import type { ThumbnailSpill } from './thumbnail-spill.js';
import { TrackFold, type SourceTrack } from './track-fold.js';

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
  /** Faces by frame index, frames in ascending order (a video read by collectObservations: none, see `tracks`). */
  frames: Map<number, HeldFace[]>;
  /** Video: sampled frames that begin a new shot (the decoder's shot-change detector). */
  cuts?: Set<number>;
  /** Video read by collectObservations: its faces folded into tracks (sourceTracks folds `frames` otherwise). */
  tracks?: SourceTrack[];
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

/**
 * Folds the chunks of a job (in append order) into sources; a source without its end marker
 * failed. A video keeps up to `samplesPerTrack` embeddings per track (for the identity index),
 * and its thumbnails go to `spill` where one is given.
 */
export async function collectObservations(
  chunks: AsyncIterable<ObservationChunk>,
  sources: readonly string[],
  { samplesPerTrack = MAX_EMBEDDINGS_PER_PERSON, spill }: { samplesPerTrack?: number; spill?: ThumbnailSpill } = {},
): Promise<Observed> {
  const open = new Map<number, ObservedSource>();
  const done = new Map<number, ObservedSource>();
  const failed = new Map<number, FailedSource>();
  const folds = new Map<number, TrackFold>();
  for await (const chunk of chunks) {
    switch (chunk.kind) {
      case 'source-start':
        open.set(chunk.sourceIndex, { index: chunk.sourceIndex, source: chunk.source, mediaType: chunk.mediaType, info: chunk.info, embeddingModel: chunk.embeddingModel, frames: new Map() });
        if (chunk.mediaType === 'video') {
          const [width, height] = chunk.info.resolution;
          folds.set(chunk.sourceIndex, new TrackFold({ width, height, fps: chunk.info.fps ?? 1, samplesPerTrack, spill }));
        } else folds.delete(chunk.sourceIndex);
        break;
      case 'frames': {
        const source = open.get(chunk.sourceIndex);
        if (!source) break;
        const fold = folds.get(chunk.sourceIndex);
        for (const frame of chunk.frames) {
          if (fold) {
            if (frame.cut) fold.cut(frame.index);
            fold.add(frame.index, frame.faces);
          } else source.frames.set(frame.index, [...(source.frames.get(frame.index) ?? []), ...frame.faces]);
        }
        break;
      }
      case 'source-end': {
        const source = open.get(chunk.sourceIndex);
        const fold = folds.get(chunk.sourceIndex);
        folds.delete(chunk.sourceIndex);
        if (source) {
          if (fold) source.tracks = fold.finish();
          open.delete(chunk.sourceIndex);
          done.set(chunk.sourceIndex, source);
        }
        break;
      }
      case 'source-failed':
        open.delete(chunk.sourceIndex);
        folds.delete(chunk.sourceIndex);
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
