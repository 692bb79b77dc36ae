// Reading a job's observations back into one record per source.
import type { FaceObservation, MediaInfo, MediaType, ObservationChunk } from '../../libs/jobs/types.js';

export interface ObservedSource {
  index: number;
  source: string;
  mediaType: MediaType;
  info: MediaInfo;
  embeddingModel: string;
  /** Faces by frame index, frames in ascending order. */
  frames: Map<number, FaceObservation[]>;
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
  for await (const chunk of chunks) {
    switch (chunk.kind) {
      case 'source-start':
        open.set(chunk.sourceIndex, { index: chunk.sourceIndex, source: chunk.source, mediaType: chunk.mediaType, info: chunk.info, embeddingModel: chunk.embeddingModel, frames: new Map() });
        break;
      case 'frames': {
        const source = open.get(chunk.sourceIndex);
        if (!source) break;
        for (const frame of chunk.frames) {
          source.frames.set(frame.index, [...(source.frames.get(frame.index) ?? []), ...frame.faces]);
          if (frame.cut) (source.cuts ??= new Set()).add(frame.index);
        }
        break;
      }
      case 'source-end': {
        const source = open.get(chunk.sourceIndex);
        if (source) {
          open.delete(chunk.sourceIndex);
          done.set(chunk.sourceIndex, source);
        }
        break;
      }
      case 'source-failed':
        open.delete(chunk.sourceIndex);
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
