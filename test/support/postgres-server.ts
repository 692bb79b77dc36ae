// A private PostgreSQL server for tests and the faults campaign that restart it: a fresh cluster (initdb) in a temporary
// directory on a free port, which the campaign may restart at will. Restarting the machine's own
// server (`pg_ctlcluster 15 main restart`) would break every other test or program using it
// meanwhile; this one serves its caller alone. Root cannot run postgres: the server then runs as
// the `postgres` user. Where no server can be made here, `startPostgresServer` says why.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../services/spawn.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PostgresServer {
  /** Connection string of its `postgres` database. */
  url: string;
  /** A fast shutdown (sessions ended, as `pg_ctl restart -m fast` does), `downMs` with no server, then started again; resolves once it answers. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The directory of initdb and postgres: PG_BINDIR, else the newest /usr/lib/postgresql/<version>/bin. */
function binDir(): string | null {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** The uid and gid to run the server as: our own, or the `postgres` user's when we are root. */
function owner(): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? 0 };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Why no private server can be started here (no binaries, root without a postgres user), or null when one can. */
export function postgresServerUnavailable(): string | null {
  if (!binDir()) return 'no PostgreSQL server binaries (initdb, postgres; set PG_BINDIR)';
  try {
    owner();
  } catch (err) {
    return `running as root and no postgres user to run the server as (${(err as Error).message})`;
  }
  return null;
}

export async function startPostgresServer(): Promise<PostgresServer | { reason: string }> {
  const bin = binDir();
  if (!bin) return { reason: 'no PostgreSQL server binaries (initdb, postgres; set PG_BINDIR)' };
  let user: { uid: number; gid: number };
  try {
    user = owner();
  } catch (err) {
    return { reason: `running as root and no postgres user to run the server as (${(err as Error).message})` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'facerec-campaign-pg-'));
  const data = join(dir, 'data');
  chownSync(dir, user.uid, user.gid);
  try {
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], { uid: user.uid, gid: user.gid, stdio: 'pipe', cwd: dir });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `initdb failed: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}` };
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess;
  let log = '';
  const launch = async () => {
    child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'], {
      uid: user.uid,
      gid: user.gid,
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (err) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL on ${port} not ready: ${(err as Error).message}\n${log}`);
        await sleep(200);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  };
  /** SIGINT is PostgreSQL's fast shutdown: sessions are ended, the server stops cleanly. */
  const shutdown = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  };
  try {
    await launch();
  } catch (err) {
    await shutdown().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    return { reason: (err as Error).message };
  }
  return {
    url,
    restart: async (downMs = 2000) => {
      await shutdown();
      await sleep(downMs);
      await launch();
    },
    stop: async () => {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
