// scripts/gpu-check.sh: its CPU dry run passes here (the same steps the GPU check runs: bench batch
// and a video job, every session's provider checked), and where onnxruntime-node has no CUDA
// provider it fails loudly — at its precheck, and, with the precheck skipped, when the sessions
// silently fall back to the CPU (which is what session.ts does when CUDA cannot load).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../support/shared-data.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SCRIPT = join(ROOT, 'scripts/gpu-check.sh');
const CUDA_LIB = join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so');
const clip = sharedDataFile('faces/video/short_hamilton_clip.mp4');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(SCRIPT, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 420_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('scripts/gpu-check.sh', () => {
  it.skipIf(!clip)('--provider cpu --quick: the dry run passes, with the batch table, a video realtime factor and every session on the CPU', () => {
    const { status, out } = run(['--provider', 'cpu', '--quick']);
    expect(status, out).toBe(0);
    expect(out).toMatch(/\| 1 \| [\d.]+ \| 1\.00x \|/);
    expect(out).toMatch(/bench batch: \d+ sessions, every one on cpu/);
    expect(out).toMatch(/bench video: \d+ sessions, every one on cpu/);
    expect(out).toMatch(/video 640x360: [\d.]+x realtime/);
    expect(out).toMatch(/GPU CHECK PASSED: every session ran on cpu/);
  }, 420_000);

  it.skipIf(existsSync(CUDA_LIB))('--provider cuda without the CUDA provider library fails loudly before running anything', () => {
    const { status, out } = run(['--provider', 'cuda']);
    expect(status).toBe(1);
    expect(out).toMatch(/GPU CHECK FAILED \(cuda\)/);
    expect(out).toMatch(/libonnxruntime_providers_cuda\.so is missing/);
  });

  it.skipIf(existsSync(CUDA_LIB))('--provider cuda: a session that silently fell back to the CPU fails the check', () => {
    const { status, out } = run(['--provider', 'cuda', '--quick'], { GPU_CHECK_SKIP_PRECHECK: '1' });
    expect(status).toBe(1);
    expect(out).toMatch(/GPU CHECK FAILED \(cuda\)/);
    expect(out).toMatch(/PROVIDER CHECK FAILED: the detector session runs on cpu, the embedder session runs on cpu, not cuda/);
    expect(out).not.toMatch(/GPU CHECK PASSED/);
  }, 120_000);

  it('refuses an unknown provider', () => {
    const { status, out } = run(['--provider', 'tpu']);
    expect(status).toBe(64);
    expect(out).toMatch(/--provider must be cuda or cpu/);
  });
});
