// `facerec bench api`: images per second through the REST API (upload once, then jobs of one photo
// each, submitted and waited for (GET …/?wait=60, answered when the job finishes) by 1, 4 and 16
// concurrent clients) for the embedded product and the
// distributed one (a process per service, over NATS), beside the engine's own cost per photo in
// this process — so the service's overhead shows as a ratio.
//
//   facerec bench api [--images N] [--clients 1,4,16] [--modes embedded,nats]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, SERVICE_NAMES } from '../../libs/config/config.js';
import { FaceEngine } from '../../libs/engine/engine.js';
import { decodeImage } from '../../libs/image/image.js';
import { startServices } from '../product.js';
import { deleteNatsPrefix, startDistributed } from '../spawn.js';
import { rootLogger } from '../../libs/log/logger.js';
import { parseIntOption, UsageError } from './args.js';
import { ROOT } from '../checkout.js';


interface Row {
  mode: string;
  clients: number;
  images: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
}

export async function benchApiCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { images: { type: 'string', default: '32' }, clients: { type: 'string', default: '1,4,16' }, modes: { type: 'string', default: 'embedded,nats' } },
  });
  const images = parseIntOption('images', values.images);
  const clientCounts = values.clients.split(',').map((c) => parseIntOption('clients', c));
  const modes = values.modes.split(',');
  for (const m of modes) if (m !== 'embedded' && m !== 'nats') throw new UsageError(`unknown mode '${m}' (embedded, nats)`);
  // The services' per-request logs would drown the table.
  if (!process.env.LOG_LEVEL) rootLogger.level = 'warn';
  const dataDir = resolve(ROOT, process.env.FACEREC_TEST_DATA ?? '../shared/data');
  const probesDir = join(dataDir, 'faces/people/probes');
  const galleryDir = join(dataDir, 'faces/people/gallery');
  const probeFiles = readdirSync(probesDir).sort().map((f) => join(probesDir, f));

  const cpu = cpus();
  console.log(`# facerec bench api\n\nCPU: ${cpu[0]?.model.trim()}, ${cpu.length} cores; load average at start ${loadavg()[0]!.toFixed(2)}.`);
  console.log(`Workload: ${probeFiles.length} people probes (240p to 2000x1428, 1–4 faces), uploaded once; each job is one photo, gallery of 6 people.\n`);

  // The engine alone, in this process: the floor any service pays per photo (decoding the file
  // included, as the service must).
  const engine = await FaceEngine.load();
  const files = probeFiles.map((f) => readFileSync(f));
  for (const bytes of files.slice(0, 2)) await engine.analyse(await decodeImage(bytes));
  const t0 = performance.now();
  for (let i = 0; i < images; i++) await engine.analyse(await decodeImage(files[i % files.length]!));
  const engineMs = (performance.now() - t0) / images;
  console.log(`Engine alone (decode + analyse, sequential): ${engineMs.toFixed(0)} ms per photo = ${(1000 / engineMs).toFixed(2)} photos/s.\n`);

  const rows: Row[] = [];
  for (const mode of modes) {
    const work = mkdtempSync(join(tmpdir(), 'facerec-bench-'));
    let url: string;
    let stop: () => Promise<unknown>;
    if (mode === 'embedded') {
      const product = await startServices(SERVICE_NAMES, loadConfig({ FACEREC_DATA_DIR: work, PORT: '0', HOST: '127.0.0.1', HEALTH_PORT: '0' }), { loopback: true });
      url = `http://127.0.0.1:${product.gatewayPort}`;
      stop = () => product.stop();
    } else {
      const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
      const prefix = `bench_${process.pid}`;
      const product = await startDistributed({ natsUrl, prefix, dataDir: work });
      url = product.gatewayUrl;
      stop = async () => {
        await product.stop();
        await deleteNatsPrefix(natsUrl, prefix);
      };
    }
    try {
      await buildGallery(url, galleryDir);
      const sources = [];
      for (const f of probeFiles) sources.push(await upload(url, f));
      await runClients(url, sources, 2, 2); // warm-up
      for (const clients of clientCounts) {
        const started = performance.now();
        const latencies = await runClients(url, sources, clients, images);
        const seconds = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        const row = { mode, clients, images, seconds, perSecond: images / seconds, p50: latencies[latencies.length >> 1]!, p95: latencies[Math.floor(latencies.length * 0.95)]! };
        rows.push(row);
        console.error(`${mode} ${clients} clients: ${row.perSecond.toFixed(2)} photos/s`);
      }
    } finally {
      await stop();
      rmSync(work, { recursive: true, force: true });
    }
  }

  console.log('| mode | clients | photos | wall s | photos/s | vs engine alone | job latency p50 ms | p95 ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.mode} | ${r.clients} | ${r.images} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(2)} | ${(r.perSecond / (1000 / engineMs)).toFixed(2)}× | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} |`);
  }
  console.log(`\n"vs engine alone" = service photos/s ÷ the engine's sequential photos/s in this process (${(1000 / engineMs).toFixed(2)}); above 1 means concurrency across services beats the service overhead.`);
  console.log(JSON.stringify({ engineMsPerPhoto: engineMs, rows }));
}

/** `clients` loops share `total` jobs; returns each job's latency (submit → completed) in ms. */
async function runClients(url: string, sources: string[], clients: number, total: number): Promise<number[]> {
  let next = 0;
  const latencies: number[] = [];
  const client = async () => {
    for (let i = next++; i < total; i = next++) {
      const t = performance.now();
      const res = await post(url, '/api/v1/jobs/', { sources: [sources[i % sources.length]], modules: { face_recognition: { model: 'bench' } } });
      for (;;) {
        // Held by the gateway until the job is final: no polling interval in the latency.
        const job = (await (await fetch(`${url}/api/v1/jobs/${res.id}/?wait=60`)).json()) as { state: string };
        if (job.state === 'completed') break;
        if (job.state === 'failed' || job.state === 'stopped') throw new Error(`bench job ${res.id} ${job.state}`);
      }
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return latencies;
}

async function post(url: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function upload(url: string, file: string): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(readFileSync(file))]), file.split('/').pop());
  const res = await fetch(`${url}/api/v1/storage/`, { method: 'POST', body: form });
  return ((await res.json()) as { source: string }).source;
}

async function buildGallery(url: string, galleryDir: string): Promise<void> {
  await post(url, '/api/v1/models/', { name: 'bench' });
  for (const person of readdirSync(galleryDir).sort()) {
    const form = new FormData();
    form.set('name', person);
    for (const f of readdirSync(join(galleryDir, person))) form.append('images', new Blob([new Uint8Array(readFileSync(join(galleryDir, person, f)))]), f);
    const res = await fetch(`${url}/api/v1/models/bench/identities/`, { method: 'POST', body: form });
    if (!res.ok) throw new Error(`gallery ${person}: ${res.status} ${await res.text()}`);
  }
}
