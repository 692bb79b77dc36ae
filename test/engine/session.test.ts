import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { createSession, sessionConfigFromEnv } from '../../libs/engine/session.js';
import { onnxPath } from '../../models/catalog.js';

describe('createSession', () => {
  it('tries CUDA first and falls back to CPU with the reason logged when CUDA cannot load', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = pino({ level: 'debug' }, sink);
    const { session, provider } = await createSession(onnxPath('blazeface'), { providers: ['cuda', 'cpu'], intraOpThreads: 1, cudaDeviceId: 0 }, log);
    expect(session.inputNames).toEqual(['input']);
    expect(['cuda', 'cpu']).toContain(provider);
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; provider: string; reason?: string });
    const ready = records.find((r) => r.msg === 'inference session ready');
    expect(ready?.provider).toBe(provider);
    if (provider === 'cpu') {
      // This machine has no CUDA execution provider: the fallback must say why.
      const warning = records.find((r) => r.provider === 'cuda');
      expect(warning?.reason).toBeTruthy();
      // A CPU-only install is the npm default, not a fault: nothing at warn or above, one info line.
      expect(records.filter((r) => r.level >= 40)).toEqual([]);
      expect(records.filter((r) => r.level === 30)).toHaveLength(1);
    }
  });

  it('parses its configuration from the environment and rejects nonsense', () => {
    expect(sessionConfigFromEnv({})).toEqual({ providers: ['cuda', 'cpu'], intraOpThreads: 1, workers: 1, cudaDeviceId: 0 });
    expect(sessionConfigFromEnv({ FACEREC_INFERENCE_WORKERS: '3' }).workers).toBe(3);
    expect(() => sessionConfigFromEnv({ FACEREC_INFERENCE_WORKERS: '0' })).toThrow(/WORKERS/);
    expect(sessionConfigFromEnv({ FACEREC_EXECUTION_PROVIDERS: 'cpu', FACEREC_INTRA_OP_THREADS: '2' })).toMatchObject({ providers: ['cpu'], intraOpThreads: 2 });
    expect(() => sessionConfigFromEnv({ FACEREC_EXECUTION_PROVIDERS: 'tpu' })).toThrow(/tpu/);
    expect(() => sessionConfigFromEnv({ FACEREC_INTRA_OP_THREADS: '-1' })).toThrow(/THREADS/);
  });
});
