// Runs ffprobe/ffmpeg to completion with a deadline: output collected, the process killed
// (SIGKILL) on timeout or abort, and never left behind unreaped.
import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class ToolStartError extends Error {
  constructor(readonly tool: string, cause: unknown) {
    super(`cannot run ${tool}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'ToolStartError';
  }
}

const MAX_OUTPUT = 32 * 1024 * 1024;

export function runTool(
  tool: string,
  args: readonly string[],
  opts: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    opts.signal?.throwIfAborted();
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    let startError: unknown = null;
    child.stdout.on('data', (c: Buffer) => {
      if (outBytes < MAX_OUTPUT) out.push(c);
      outBytes += c.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      stderr += c;
      if (stderr.length > 256 * 1024) stderr = stderr.slice(-128 * 1024);
    });
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            kill();
          }, Math.max(1, opts.timeoutMs));
    const onAbort = (): void => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      startError = err;
    });
    // 'close' comes after the process exited (and was reaped) and its pipes are drained; it also
    // follows a failed spawn.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (startError && child.pid === undefined) return reject(new ToolStartError(tool, startError));
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr, timedOut });
    });
  });
}
