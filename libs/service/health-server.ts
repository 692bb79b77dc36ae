// /healthz (the process is alive), /readyz (every service in it can take work) and /metrics, over
// plain HTTP for Kubernetes probes and Prometheus. The gateway serves the same on its own port.
import { createServer, type Server } from 'node:http';
import { registry } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  ready(): boolean | Promise<boolean>;
  /** What the service still waits for (e.g. `warm-up inference`, `draining`), when not ready. */
  missing?(): string[];
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean>;
  /** Per service not ready, what it waits for (when it says). */
  waiting: Record<string, string[]>;
}

export async function readiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await Promise.resolve(c.ready()).catch(() => false)] as const));
  const waiting: Record<string, string[]> = {};
  for (const c of checks) {
    const missing = c.missing?.() ?? [];
    if (missing.length > 0) waiting[c.name] = missing;
  }
  // No check at all (a process still starting its first service) is not ready.
  return { ready: results.length > 0 && results.every(([, ok]) => ok), checks: Object.fromEntries(results), waiting };
}

export async function startHealthServer(port: number, host: string, checks: () => readonly ReadinessCheck[]): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/healthz') return send(200, '{"status":"ok"}');
    if (path === '/readyz') {
      void readiness(checks()).then((r) => send(r.ready ? 200 : 503, JSON.stringify(r)));
      return;
    }
    if (path === '/metrics') {
      void registry.metrics().then((text) => send(200, text, registry.contentType));
      return;
    }
    send(404, '{"error":{"code":"not_found","field":null,"message":"not found"}}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
