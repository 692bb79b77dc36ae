// `npm run distributed` (services/launch.ts): the six services start in the foreground with their
// output prefixed; SIGTERM to the launcher stops them in order, each drains its work in flight,
// says `stopped` and exits 0, and so does the launcher. Needs NATS and the shared photos.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/config.js';
import { Adapters } from '../../libs/service/adapters.js';
import { deleteNatsPrefix, freePort } from '../../services/spawn.js';
import { upload } from './photo-scenario.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { api } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVICES = ['matcher', 'detector', 'embedder', 'aggregator', 'decoder', 'gateway'] as const;

/** A port p with p..p+count-1 all free on loopback. */
async function freeRange(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((r) => {
      const s = createServer();
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
}

const probes = sharedDataFile('faces/people/probes');
let natsUrl: string | null = null;
beforeAll(async () => {
  natsUrl = await availableNats();
});

describe.skipIf(!probes)('npm run distributed', () => {
  const prefix = uniqueName('launch');
  const dataDir = mkdtempSync(join(tmpdir(), 'facerec-launch-'));
  afterAll(async () => {
    if (natsUrl) await deleteNatsPrefix(natsUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the six services, and on SIGTERM each drains its job, says stopped and exits 0', async ({ skip }) => {
    if (!natsUrl) return skip('NATS not reachable');
    const [healthBase, gatewayPort, detector, embedder, matcher] = [await freeRange(5), await freePort(), await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      NATS_URL: natsUrl,
      FACEREC_NATS_PREFIX: prefix,
      FACEREC_DATA_DIR: dataDir,
      PORT: String(gatewayPort),
      HOST: '127.0.0.1',
      HEALTH_PORT: String(healthBase),
      DETECTOR_LISTEN: `127.0.0.1:${detector}`,
      DETECTOR_ADDR: `127.0.0.1:${detector}`,
      EMBEDDER_LISTEN: `127.0.0.1:${embedder}`,
      EMBEDDER_ADDR: `127.0.0.1:${embedder}`,
      MATCHER_LISTEN: `127.0.0.1:${matcher}`,
      MATCHER_ADDR: `127.0.0.1:${matcher}`,
      FACEREC_SHUTDOWN_GRACE_S: '60',
      LOG_LEVEL: 'info',
    };
    const launcher = spawn(process.execPath, ['--import', 'tsx', 'services/launch.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    launcher.stdout.on('data', (c: Buffer) => (output += c.toString()));
    launcher.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 180_000;
      while (!/^launcher +\| all six services ready/m.test(output)) {
        if (launcher.exitCode !== null || Date.now() > deadline) throw new Error(`the launcher did not get ready:\n${output.slice(-5000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const url = `http://127.0.0.1:${gatewayPort}`;
      // Several photos, so that the job is still being decoded when SIGTERM comes.
      const files = readdirSync(probes!).filter((f) => /\.(jpe?g|png)$/i.test(f)).slice(0, 6);
      const sources = await Promise.all(files.map((f) => upload(url, join(probes!, f))));
      const submitted = await api(url, 'POST', '/api/v1/jobs/', { sources, modules: { face_recognition: {} } });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      const jobId = submitted.body.id as string;
      for (let i = 0; i < 100; i++) {
        const { body } = await api(url, 'GET', `/api/v1/jobs/${jobId}/`);
        if (body.state !== 'waiting') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      launcher.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 120_000))]);
      expect(code, output.slice(-5000)).toBe(0);

      const lines = output.split('\n');
      for (const service of SERVICES) {
        const stopped = lines.find((l) => l.startsWith(`${service} `) && l.includes('"msg":"stopped"'));
        expect(stopped, `${service} said nothing when it stopped:\n${output.slice(-5000)}`).toBeDefined();
        const log = JSON.parse(stopped!.slice(stopped!.indexOf('|') + 2));
        expect(log.drained[service], stopped).toEqual(expect.objectContaining({ ms: expect.any(Number) }));
        // The decoder was in the middle of the job when its turn came: it finished it first.
        if (service === 'decoder') expect(log.drained.decoder.jobs, stopped).toBe(1);
        expect(lines, service).toContain(`${'launcher'.padEnd(10)} | ${service} exited with 0`);
      }
      // The gateway stopped first and the gRPC servers last: the decoder still had its detector.
      const at = (s: string) => lines.findIndex((l) => l.includes(`| ${s} exited with`));
      expect(at('gateway')).toBeLessThan(at('decoder'));
      expect(at('decoder')).toBeLessThan(at('aggregator'));
      expect(at('aggregator')).toBeLessThan(Math.min(at('detector'), at('embedder'), at('matcher')));

      // The job was finished by the draining services, not left for a later run.
      const adapters = new Adapters(loadConfig({ NATS_URL: natsUrl, FACEREC_NATS_PREFIX: prefix, FACEREC_DATA_DIR: dataDir }));
      try {
        const job = await (await adapters.jobStore()).get(jobId);
        expect(job?.state, JSON.stringify(job)).toBe('completed');
        expect(job?.errors).toEqual([]);
      } finally {
        await adapters.close();
      }
    } finally {
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
    }
  });
});
