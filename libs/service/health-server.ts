// /healthz (the process is alive), /readyz (every service in it can take work) and /metrics, over
// plain HTTP for Kubernetes probes and Prometheus. The gateway serves the same on its own port.
import { createServer, type Server } from 'node:http';
import { registry } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  ready(): boolean | Promise<boolean>;
}

export async function readiness(checks: readonly ReadinessCheck[]): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await Promise.resolve(c.ready()).catch(() => false)] as const));
  return { ready: results.every(([, ok]) => ok), checks: Object.fromEntries(results) };
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
