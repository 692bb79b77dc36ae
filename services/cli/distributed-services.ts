// The six services over NATS for a bench (`facerec bench video --nats`): each in its own process,
// started by the launcher of `npm run distributed` (services/launch.ts), with their streams and
// buckets under a prefix of their own (removed at the end), and each service's resident memory
// read from /proc, so that what grows is seen per service.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { SERVICE_NAMES, type ServiceName } from '../../libs/config/config.js';
import { ROOT } from '../checkout.js';

export interface DistributedServices {
  gatewayPort: number;
  /** Each service's process id. */
  pids: ReadonlyMap<ServiceName, number>;
  stop(): Promise<void>;
}

/** Resident memory of a process in bytes (VmRSS), or 0 once it is gone. */
export function residentBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** The child processes of `parent`, by the service name their command line ends with. */
function servicesOf(parent: number): Map<ServiceName, number> {
  const out = new Map<ServiceName, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const name = args[args.length - 1] as ServiceName;
      // The launcher's other children (tsx's esbuild service) are not services.
      if (SERVICE_NAMES.includes(name)) out.set(name, Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Starts the six services on `natsUrl` with `env` (their configuration) and waits until all are
 * ready. Health ports are five free ports in a row after the gateway's (the launcher's plan).
 */
export async function startDistributed(natsUrl: string, env: Record<string, string>): Promise<DistributedServices> {
  const prefix = `bench${process.pid}`;
  const gatewayPort = await freePort();
  let healthBase = await freePort();
  while (healthBase > 65530) healthBase = await freePort();
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'services/launch.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, NATS_URL: natsUrl, FACEREC_NATS_PREFIX: prefix, PORT: String(gatewayPort), HEALTH_PORT: String(healthBase), LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const exited = once(launcher, 'exit');
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    launcher.stderr!.on('data', (data: Buffer) => {
      const text = data.toString();
      process.stderr.write(text);
      log += text;
      if (/all six services ready/.test(log)) resolve();
      if (/not every service became ready|stopped unexpectedly/.test(log)) reject(new Error('the services did not start (their log is above)'));
    });
    void exited.then(() => reject(new Error('the launcher exited before the services were ready')));
  });
  const removeStreams = async () => {
    const nc = await connect({ servers: natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      for await (const s of jsm.streams.list()) if (s.config.name.includes(prefix)) await jsm.streams.delete(s.config.name);
    } finally {
      await nc.close();
    }
  };
  const stop = async () => {
    if (launcher.exitCode === null) launcher.kill('SIGTERM');
    await exited;
    await removeStreams();
  };
  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { gatewayPort, pids: servicesOf(launcher.pid!), stop };
}
