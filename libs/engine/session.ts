// The one place that creates ONNX Runtime sessions: ordered execution-provider preference,
// fallback to CPU when a provider cannot load (onnxruntime-node throws for CUDA when its
// libraries are absent), thread counts from config, and the choice logged.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { moduleLogger, type Logger } from '../log/logger.js';
import { startWorkerSession, workerPool, type InferenceRunner } from './session-worker.js';

export type ExecutionProvider = 'cuda' | 'cpu';

export interface SessionConfig {
  /** Providers to try in order; 'cpu' is always appended as the last resort. */
  providers: ExecutionProvider[];
  /** Threads inside one operator (0 = ONNX Runtime's default: one per core). */
  intraOpThreads: number;
  /** Worker threads per network, each with its own session: inferences of one network at once (default 1). */
  workers?: number;
  cudaDeviceId: number;
}

export function sessionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SessionConfig {
  const providers = (env.FACEREC_EXECUTION_PROVIDERS ?? 'cuda,cpu')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  for (const p of providers) if (p !== 'cuda' && p !== 'cpu') throw new Error(`FACEREC_EXECUTION_PROVIDERS: unknown provider '${p}' (cuda, cpu)`);
  // One thread per inference by default: measured on 2 cores, 1 thread is as fast as 2 for one
  // frame (127 vs 138 ms per 960x540 frame in the detector) and lets several frames or requests
  // run side by side (3 at once: 88 ms per frame). 0 asks ONNX Runtime for one thread per core.
  const threads = Number(env.FACEREC_INTRA_OP_THREADS ?? 1);
  if (!Number.isInteger(threads) || threads < 0) throw new Error('FACEREC_INTRA_OP_THREADS must be a non-negative integer');
  // One session per network by default: the detector and the embedder already run side by side,
  // each on its own thread, beside ffmpeg and the service's own work.
  const workers = Number(env.FACEREC_INFERENCE_WORKERS ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error('FACEREC_INFERENCE_WORKERS must be an integer from 1 to 64');
  return { providers: providers as ExecutionProvider[], intraOpThreads: threads, workers, cudaDeviceId: Number(env.CUDA_DEVICE_ID ?? 0) };
}

export interface LoadedSession {
  /** The session, running on its own worker thread (see session-worker.ts). */
  session: InferenceRunner;
  provider: ExecutionProvider;
}

/**
 * ONNX Runtime's graph optimisation for one network. 'all' adds the NCHWc layout transforms, which
 * on an AVX-512 Xeon made YuNet faster and faceplugin-fr512 slower: each network says which it
 * takes, and `facerec bench levels` measures every level on the host at hand.
 */
export type GraphOptimisation = 'all' | 'extended' | 'basic' | 'disabled';

export async function createSession(
  modelPath: string,
  config: SessionConfig = sessionConfigFromEnv(),
  log: Logger = moduleLogger('session'),
  optimisation: GraphOptimisation = 'all',
): Promise<LoadedSession> {
  const model = readFileSync(modelPath);
  const workers = config.workers ?? 1;
  const order = [...config.providers.filter((p) => p !== 'cpu'), 'cpu' as const];
  const failures: string[] = [];
  for (const provider of order) {
    const missing = provider === 'cuda' ? missingCudaProvider() : null;
    if (missing) {
      // A CPU-only install (the npm default): said once in the info line below, details at debug.
      failures.push(`${provider}: ${missing}`);
      log.debug({ model: modelPath, provider, reason: missing }, 'execution provider not installed, trying the next one');
      continue;
    }
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider === 'cuda' ? { name: 'cuda', deviceId: config.cudaDeviceId } : 'cpu'],
      graphOptimizationLevel: optimisation,
      logSeverityLevel: 3,
      ...(config.intraOpThreads > 0 ? { intraOpNumThreads: config.intraOpThreads } : {}),
      interOpNumThreads: 1,
    };
    try {
      // The first worker proves the provider loads before the others are started.
      const first = await startWorkerSession(model, options);
      const session = workerPool([first, ...(await Promise.all(Array.from({ length: workers - 1 }, () => startWorkerSession(model, options))))]);
      log.info({ model: modelPath, provider, optimisation, workers, intraOpThreads: config.intraOpThreads || 'default', skipped: failures }, 'inference session ready');
      return { session, provider };
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0];
      failures.push(`${provider}: ${reason}`);
      log.warn({ model: modelPath, provider, reason }, 'execution provider unavailable, trying the next one');
    }
  }
  throw new Error(`no execution provider could load ${modelPath}: ${failures.join('; ')}`);
}

/**
 * Why onnxruntime-node cannot offer CUDA here, or null when its CUDA provider library is installed.
 * Checked first because asking ONNX Runtime for a provider it cannot load prints a native error
 * (not ours to silence) before it throws.
 */
function missingCudaProvider(): string | null {
  const binding = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  if (existsSync(join(binding, 'libonnxruntime_providers_cuda.so'))) return null;
  return `onnxruntime-node has no CUDA provider library in ${binding} (install with ONNXRUNTIME_NODE_INSTALL=cuda12 on a GPU machine)`;
}
