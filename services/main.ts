// Entry point: `all` runs the whole product in this process (embedded); a service name runs that
// one service (distributed). Stops cleanly on SIGTERM/SIGINT within the grace period.
import { ConfigError, loadConfig, SERVICE_NAMES, type ServiceName } from '../libs/config/config.js';
import { rootLogger } from '../libs/log/logger.js';
import { readiness, type ReadinessCheck } from '../libs/service/health-server.js';
import { startServices } from './product.js';

const USAGE = `usage: services/main.ts all | ${SERVICE_NAMES.join(' | ')} [more names…]`;

async function main(argv: string[]): Promise<void> {
  const names = argv.includes('all') ? [...SERVICE_NAMES] : argv;
  const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    console.error(unknown.length ? `unknown service: ${unknown.join(', ')}\n${USAGE}` : USAGE);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const embedded = argv.includes('all');
  rootLogger.info({ services: names, mode: config.natsUrl ? 'distributed' : 'embedded', dataDir: config.dataDir }, 'starting');
  const product = await startServices(names as ServiceName[], config, { loopback: embedded });
  if (product.gatewayPort !== null) void announceReady(product.services.flatMap((s) => s.checks), `http://localhost:${product.gatewayPort}/api/v1/`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    rootLogger.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      rootLogger.error('did not stop within the grace period: exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 5000);
    force.unref();
    const started = Date.now();
    product.stop().then(
      (drained) => {
        // The last line of a clean stop (a killed process has none): what each service finished.
        rootLogger.info({ signal, drained, seconds: (Date.now() - started) / 1000 }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        rootLogger.error({ err }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Started by `npm run distributed` (services/launch.ts): the launcher's end of stdin closes when
  // it dies, however it dies, and the service stops rather than outlive it.
  if (process.env.FACEREC_STOP_ON_STDIN_EOF === '1') {
    process.stdin.on('end', () => shutdown('launcher gone'));
    process.stdin.resume();
  }
}

/**
 * Logs `ready` once /readyz would answer 200, with the seconds since the process started (what
 * start-up costs); until then, once, what it waits for (a matcher re-embedding galleries, say).
 */
async function announceReady(checks: readonly ReadinessCheck[], url: string): Promise<void> {
  let said = false;
  for (;;) {
    const r = await readiness(checks);
    if (r.ready) {
      rootLogger.info({ url, seconds: +process.uptime().toFixed(2) }, 'ready');
      return;
    }
    if (Object.values(r.waiting).flat().includes('draining')) return; // stopping
    if (!said) rootLogger.info({ url, waiting: r.waiting }, 'started, not ready yet');
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 500).unref());
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  rootLogger.fatal({ err }, 'failed to start');
  process.exit(1);
});
