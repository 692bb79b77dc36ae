// The Embedder gRPC service: aligned chips in, embeddings out, batched across every caller.
import type { FaceEmbedder } from '../../libs/engine/embedder.js';
import { grpc } from '../../libs/grpc/grpc.js';
import type { EmbedderHandlers } from '../../libs/grpc/generated/facerec/v1/Embedder.js';
import type { EmbedRequest__Output } from '../../libs/grpc/generated/facerec/v1/EmbedRequest.js';
import type { Logger } from '../../libs/log/logger.js';
import { Batcher, type BatcherOptions } from '../../libs/engine/batcher.js';

export class EmbedderService {
  readonly batcher: Batcher<Uint8Array, Float32Array>;

  constructor(
    private readonly embedder: FaceEmbedder,
    options: BatcherOptions,
    private readonly log: Logger,
    onBatch?: (size: number, ms: number) => void,
  ) {
    this.batcher = new Batcher((chips) => this.embedBatch(chips), options, onBatch);
  }

  private get chipBytes(): number {
    return this.embedder.chipSize * this.embedder.chipSize * 3;
  }

  /** Mirrored chips are averaged in, as in the engine's default pipeline (measured in models/README.md). */
  private async embedBatch(chips: Uint8Array[]): Promise<Float32Array[]> {
    const input = new Uint8Array(chips.length * this.chipBytes);
    chips.forEach((chip, i) => input.set(chip, i * this.chipBytes));
    return this.embedder.embedChips(input, chips.length, { flip: true });
  }

  handlers(): EmbedderHandlers {
    return {
      Describe: (_call, callback) => callback(null, { model: this.embedder.model, dimension: this.embedder.dimension, chipSize: this.embedder.chipSize }),
      Embed: (call) => {
        const pending = new Set<Promise<void>>();
        let failed = false;
        const fail = (code: grpc.status, details: string): void => {
          if (failed) return;
          failed = true;
          call.emit('error', { code, details });
        };
        call.on('data', (request: EmbedRequest__Output) => {
          const chip = request.chip;
          const size = this.embedder.chipSize;
          if (!chip || chip.size !== size || chip.rgb.length !== this.chipBytes) {
            return fail(grpc.status.INVALID_ARGUMENT, `face ${request.faceId}: a chip must be ${size}x${size} RGB (${this.chipBytes} bytes) for ${this.embedder.model}`);
          }
          const work = this.batcher.submit(chip.rgb).then(
            (embedding) => {
              if (!failed) call.write({ faceId: request.faceId, embedding: { model: this.embedder.model, values: Array.from(embedding) } });
            },
            (err: unknown) => {
              this.log.error({ err }, 'embedding failed');
              fail(grpc.status.INTERNAL, `embedding failed: ${(err as Error).message}`);
            },
          );
          pending.add(work);
          void work.finally(() => pending.delete(work));
        });
        call.on('end', () => {
          void Promise.all(pending).then(() => {
            if (!failed) call.end();
          });
        });
        call.on('cancelled', () => {
          failed = true;
        });
      },
    };
  }
}
