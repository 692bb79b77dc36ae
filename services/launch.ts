// `npm run distributed`: the six services, each in its own process over NATS, in the foreground.
// Their output comes out line by line with the service's name in front; Ctrl-C or SIGTERM stops
// them in order (gateway, decoder, aggregator, then the gRPC servers), each draining its work in
// flight; a second Ctrl-C kills what is left. The launcher exits 0 when every service did.
//
// The services run in their own process groups, so a terminal's Ctrl-C reaches only the
// launcher, which forwards it in that order; each service also stops when the launcher's end of
// its stdin closes (the launcher killed with -9 leaves nothing behind), and the launcher stops
// when its parent exits (npm, killed by `kill $!`, does not forward the signal).
//
// Configuration is the services' own (README, "Configuration"); the launcher adds NATS_URL
// (default nats://127.0.0.1:4222) and gives each non-gateway service its own HEALTH_PORT: matcher
// HEALTH_PORT (default 9090), detector +1, embedder +2, decoder +3, aggregator +4.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServiceName } from '../libs/config/config.js';
import { REEMBEDDING } from '../libs/service/readiness.js';
// Compiled (dist/services/launch.js, `npm run build`) or the TypeScript through tsx: the services run the same way.
import { COMPILED, ROOT } from './checkout.js';

const SERVICE_ENTRY = COMPILED ? [fileURLToPath(new URL('./main.js', import.meta.url))] : ['--import', 'tsx', 'services/main.ts'];
const HEALTH_OFFSET: Record<Exclude<ServiceName, 'gateway'>, number> = { matcher: 0, detector: 1, embedder: 2, decoder: 3, aggregator: 4 };
/** Start order: servers before their clients. */
const START: readonly ServiceName[] = ['matcher', 'detector', 'embedder', 'aggregator', 'decoder', 'gateway'];
/** Stop order: who sends work stops first, so that the work in flight can still be finished by the others. */
const STOP_STAGES: readonly (readonly ServiceName[])[] = [['gateway'], ['decoder'], ['aggregator'], ['detector', 'embedder', 'matcher']];
const WIDTH = Math.max(...START.map((s) => s.length), 'launcher'.length);

interface Child {
  name: ServiceName;
  process: ChildProcess;
  healthUrl: string;
  exited: Promise<number | null>;
  code: number | null | undefined;
}

function say(message: string): void {
  process.stderr.write(`${'launcher'.padEnd(WIDTH)} | ${message}\n`);
}

function prefixLines(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, name: string): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`${name.padEnd(WIDTH)} | ${line}\n`));
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`configuration error: ${name} must be a port number, got '${raw}'`);
    process.exit(2);
  }
  return n;
}

function startChild(name: ServiceName, env: NodeJS.ProcessEnv, healthPort: number): Child {
  const child = spawn(process.execPath, [...SERVICE_ENTRY, name], {
    cwd: ROOT,
    env: { ...env, HEALTH_PORT: String(healthPort), FACEREC_STOP_ON_STDIN_EOF: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  prefixLines(child.stdout!, process.stdout, name);
  prefixLines(child.stderr!, process.stderr, name);
  const record: Child = {
    name,
    process: child,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    code: undefined,
    exited: new Promise((r) => child.once('exit', (code, signal) => r(code ?? (signal ? null : 1)))),
  };
  void record.exited.then((code) => (record.code = code));
  return record;
}

/**
 * Waits for every /readyz to answer 200. A matcher re-embedding the galleries of another embedder
 * may take longer than any start-up: it counts as started (said once), and turns ready by itself.
 */
async function waitAllReady(children: readonly Child[], timeoutMs: number, stillBusy: string[]): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(children);
  while (pending.size > 0 && Date.now() < deadline) {
    for (const c of [...pending]) {
      if (c.code !== undefined) return false;
      const answer = await fetch(`${c.healthUrl}/readyz`).then(
        async (r) => ({ ok: r.ok, waiting: ((await r.json().catch(() => ({}))) as { waiting?: Record<string, string[]> }).waiting ?? {} }),
        () => null,
      );
      if (!answer) continue;
      const missing = Object.values(answer.waiting).flat();
      if (answer.ok) pending.delete(c);
      else if (missing.length > 0 && missing.every((m) => m.startsWith(REEMBEDDING))) {
        say(`${c.name}: ${missing.join(', ')}; not ready until it is done (its log shows the progress)`);
        stillBusy.push(c.name);
        pending.delete(c);
      }
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return pending.size === 0;
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.NATS_URL) {
    env.NATS_URL = 'nats://127.0.0.1:4222';
    say(`NATS_URL not set: using ${env.NATS_URL}`);
  }
  const healthBase = int('HEALTH_PORT', 9090);
  const gatewayPort = int('PORT', 8080);
  const children = START.map((name) => startChild(name, env, name === 'gateway' ? gatewayPort : healthBase + HEALTH_OFFSET[name]));

  let stopping = false;
  let failed = false;
  const stop = async (why: string): Promise<void> => {
    stopping = true;
    say(`${why}: stopping gateway, decoder, aggregator, then detector, embedder and matcher (Ctrl-C again to kill them)`);
    for (const stage of STOP_STAGES) {
      const group = children.filter((c) => stage.includes(c.name) && c.code === undefined);
      for (const c of group) c.process.kill('SIGTERM');
      await Promise.all(group.map((c) => c.exited));
    }
  };
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      void stop(signal);
      return;
    }
    say(`${signal} again: killing the services still running`);
    for (const c of children) if (c.code === undefined) c.process.kill('SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Under `npm run distributed &`, `kill $!` ends npm, which does not pass the signal on: the
  // launcher, handed to another parent, stops as if it had been sent SIGTERM.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    if (signals === 0) onSignal('SIGTERM');
  }, 500);
  watch.unref();

  for (const c of children) {
    void c.exited.then((code) => {
      say(`${c.name} exited with ${code ?? 'a signal'}`);
      if (code !== 0) failed = true;
      if (!stopping) {
        failed = true;
        signals++;
        void stop(`${c.name} stopped unexpectedly`);
      }
    });
  }

  const started = Date.now();
  const stillBusy: string[] = [];
  if (await waitAllReady(children, 180_000, stillBusy)) {
    const state = stillBusy.length === 0 ? 'ready' : `started (${stillBusy.join(', ')} not ready yet)`;
    say(`all six services ${state} in ${((Date.now() - started) / 1000).toFixed(1)} s: REST API on http://localhost:${gatewayPort}/api/v1/`);
  } else if (!stopping) {
    say('not every service became ready within 180 s');
    failed = true;
    signals++;
    void stop('start failed');
  }
  await Promise.all(children.map((c) => c.exited));
  const codes = children.map((c) => `${c.name} ${c.code ?? 'killed'}`).join(', ');
  say(`stopped (${codes})`);
  process.exit(failed || children.some((c) => c.code !== 0) ? 1 : 0);
}

void main();
