// Starts the real product for end-to-end tests: every service in this process (embedded, as
// `npm start` runs it) on free ports, with its own data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, SERVICE_NAMES } from '../../libs/config/config.js';
import { startServices, type Product } from '../../services/product.js';

export interface RunningProduct {
  product: Product;
  /** "http://127.0.0.1:<port>" */
  url: string;
  dataDir: string;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startEmbedded(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<RunningProduct> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'facerec-e2e-'));
  const config = loadConfig({
    FACEREC_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    HEALTH_PORT: '0',
    FACEREC_SHUTDOWN_GRACE_S: '5',
    ...opts.env,
  });
  const product = await startServices(SERVICE_NAMES, config, { loopback: true });
  return {
    product,
    url: `http://127.0.0.1:${product.gatewayPort}`,
    dataDir,
    stop: async ({ keepData = false } = {}) => {
      await product.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON request helper: the parsed body (null for 204) and the status. */
export async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Polls a job until it reaches a final state. */
export async function waitForJob(url: string, id: string, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(url, 'GET', `/api/v1/jobs/${id}/`);
    if (['completed', 'failed', 'stopped'].includes(body.state)) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { SERVICE_NAMES };
