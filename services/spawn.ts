// Services as separate processes (`node --import tsx services/main.ts <name>`), the way the
// distributed product runs them: for tests and benchmarks over NATS.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { ServiceName } from '../libs/config/config.js';
// The services it starts run from the sources, through tsx, in the checkout.
import { ROOT } from './checkout.js';


/**
 * `count` distinct free ports: every one is held open until all are found, so none is handed out
 * twice (ports picked one at a time and released at once can come back, and a service then fails
 * to bind a port another one took).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolveServer, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

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
  /** The service's name, or "<service>-<n>" for the n-th of several replicas. */
  name: string;
  /** What it runs (`services/main.ts <service>`). */
  service: string;
  child: ChildProcess;
  /** The environment it was started with (over process.env), and its health port: a restart uses them again. */
  env: Record<string, string>;
  healthPort: number;
  /** URL of its /healthz, /readyz, /metrics. */
  healthUrl: string;
  /** stderr so far (JSON logs; the last `keepOutput` characters), for failure messages. */
  output(): string;
  /** SIGTERM, then the exit code (null if it had to be killed). */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function spawnService(
  service: string,
  env: Record<string, string>,
  healthPort: number,
  opts: { name?: string; keepOutput?: number } = {},
): ServiceProcess {
  const keep = opts.keepOutput ?? 20_000;
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/main.ts', service], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-keep);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    name: opts.name ?? service,
    service,
    child,
    env,
    healthPort,
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

/** Services that may run as several processes here; the matcher only with DATABASE_URL (else its galleries are in its own data directory). */
const REPLICABLE: readonly ServiceName[] = ['gateway', 'decoder', 'detector', 'embedder', 'aggregator'];

/**
 * Every service in its own process on loopback, sharing the NATS at `natsUrl` under `prefix`;
 * the matcher keeps its galleries in `dataDir`. Resolves once every /readyz answers 200.
 *
 * `replicas` runs several processes of a service (default one each; the matcher only when its
 * environment has DATABASE_URL, which holds the galleries they share): each detector, embedder
 * and matcher listens on its own port and every client gets the fixed round-robin list
 * "127.0.0.1:p1,127.0.0.1:p2" as DETECTOR_ADDR / EMBEDDER_ADDR / MATCHER_ADDR; replicas are named "<service>-<n>"
 * and `gatewayUrl` is the first gateway's. `env` goes to every process, `serviceEnv` to one service's.
 */
export async function startDistributed(opts: {
  natsUrl: string;
  prefix: string;
  dataDir: string;
  env?: Record<string, string>;
  replicas?: Partial<Record<ServiceName, number>>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Characters of stderr each process keeps for output() (default 20 000). */
  keepOutput?: number;
}): Promise<DistributedProduct> {
  const order: ServiceName[] = ['detector', 'embedder', 'matcher', 'decoder', 'aggregator', 'gateway'];
  const count = (name: ServiceName) => {
    const n = opts.replicas?.[name] ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new Error(`replicas of ${name} must be a positive integer, got ${n}`);
    const shared = name === 'matcher' && Boolean(opts.serviceEnv?.matcher?.DATABASE_URL ?? opts.env?.DATABASE_URL);
    if (n > 1 && !REPLICABLE.includes(name) && !shared) throw new Error(`${name} cannot run as several processes here${name === 'matcher' ? ' without DATABASE_URL' : ''}`);
    return n;
  };
  // Every port up front and distinct: gRPC ports of the detector, embedder, matcher and gateway, and a health port per process.
  const total = order.reduce((n, name) => n + count(name), 0);
  const pool = await freePorts(count('detector') + count('embedder') + count('matcher') + count('gateway') + total);
  const take = (n: number) => pool.splice(0, n);
  const [detectors, embedders, matchers, gateways] = [take(count('detector')), take(count('embedder')), take(count('matcher')), take(count('gateway'))];
  const list = (p: number[]) => p.map((port) => `127.0.0.1:${port}`).join(',');
  const common = {
    NATS_URL: opts.natsUrl,
    FACEREC_NATS_PREFIX: opts.prefix,
    DETECTOR_ADDR: list(detectors),
    EMBEDDER_ADDR: list(embedders),
    MATCHER_ADDR: list(matchers),
    FACEREC_SHUTDOWN_GRACE_S: '5',
    ...opts.env,
  };
  const specific = (name: ServiceName, i: number): Record<string, string> => {
    switch (name) {
      case 'detector':
        return { DETECTOR_LISTEN: `127.0.0.1:${detectors[i]}` };
      case 'embedder':
        return { EMBEDDER_LISTEN: `127.0.0.1:${embedders[i]}` };
      case 'matcher':
        return { MATCHER_LISTEN: `127.0.0.1:${matchers[i]}` };
      case 'gateway':
        return { PORT: String(gateways[i]), HOST: '127.0.0.1' };
      default:
        return {};
    }
  };
  const services: ServiceProcess[] = [];
  for (const service of order) {
    const n = count(service);
    for (let i = 0; i < n; i++) {
      const name = n > 1 ? `${service}-${i + 1}` : service;
      const healthPort = service === 'gateway' ? gateways[i]! : take(1)[0]!;
      const env = { ...common, FACEREC_DATA_DIR: `${opts.dataDir}/${name}`, HEALTH_PORT: String(healthPort), ...specific(service, i), ...opts.serviceEnv?.[service] };
      services.push(spawnService(service, env, healthPort, { name, keepOutput: opts.keepOutput }));
    }
  }
  const stop = async () => Object.fromEntries(await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const)));
  try {
    await Promise.all(services.map((s) => waitReady(s)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { gatewayUrl: `http://127.0.0.1:${gateways[0]}`, services, stop };
}
