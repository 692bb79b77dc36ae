// Services as separate processes (`node --import tsx services/main.ts <name>`), the way the
// distributed product runs them: for tests and benchmarks over NATS.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** URL of its /healthz, /readyz, /metrics. */
  healthUrl: string;
  /** stderr so far (JSON logs), for failure messages. */
  output(): string;
  /** SIGTERM, then the exit code (null if it had to be killed). */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function spawnService(name: string, env: Record<string, string>, healthPort: number): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/main.ts', name], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    name,
    child,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    output: () => output,
    stop: async (timeoutMs = 15_000) => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Waits for /readyz to answer 200 (or the process to die). */
export async function waitReady(service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with ${service.child.exitCode}:\n${service.output()}`);
    const ok = await fetch(`${service.healthUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service.name} not ready after ${timeoutMs} ms:\n${service.output()}`);
}

/** Deletes every stream (bus queues, KV and object buckets) an installation with `prefix` made. */
export async function deleteNatsPrefix(natsUrl: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const info of jsm.streams.list()) {
      if (info.config.name.includes(prefix)) await jsm.streams.delete(info.config.name);
    }
  } finally {
    await nc.close();
  }
}

export interface DistributedProduct {
  gatewayUrl: string;
  services: ServiceProcess[];
  /** SIGTERMs every process; returns their exit codes by name. */
  stop(): Promise<Record<string, number | null>>;
}

/**
 * Every service in its own process on loopback, sharing the NATS at `natsUrl` under `prefix`;
 * the matcher keeps its galleries in `dataDir`. Resolves once every /readyz answers 200.
 */
export async function startDistributed(opts: { natsUrl: string; prefix: string; dataDir: string; env?: Record<string, string> }): Promise<DistributedProduct> {
  const [detector, embedder, matcher, gatewayPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const common = {
    NATS_URL: opts.natsUrl,
    FACEREC_NATS_PREFIX: opts.prefix,
    DETECTOR_ADDR: `127.0.0.1:${detector}`,
    EMBEDDER_ADDR: `127.0.0.1:${embedder}`,
    MATCHER_ADDR: `127.0.0.1:${matcher}`,
    FACEREC_SHUTDOWN_GRACE_S: '5',
    ...opts.env,
  };
  const specific: Record<string, Record<string, string>> = {
    detector: { DETECTOR_LISTEN: `127.0.0.1:${detector}` },
    embedder: { EMBEDDER_LISTEN: `127.0.0.1:${embedder}` },
    matcher: { MATCHER_LISTEN: `127.0.0.1:${matcher}` },
    decoder: {},
    aggregator: {},
    gateway: { PORT: String(gatewayPort), HOST: '127.0.0.1' },
  };
  const services: ServiceProcess[] = [];
  for (const [name, env] of Object.entries(specific)) {
    const healthPort = name === 'gateway' ? gatewayPort : await freePort();
    services.push(spawnService(name, { ...common, FACEREC_DATA_DIR: `${opts.dataDir}/${name}`, HEALTH_PORT: String(healthPort), ...env }, healthPort));
  }
  const stop = async () => Object.fromEntries(await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const)));
  try {
    await Promise.all(services.map((s) => waitReady(s)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { gatewayUrl: `http://127.0.0.1:${gatewayPort}`, services, stop };
}
