// The matcher client over two matcher processes (MATCHER_ADDR "127.0.0.1:p1,127.0.0.1:p2"): one
// killed -9 while reads stream through both. The reads in flight on the dead one end UNAVAILABLE;
// the matcher client asks them again of the live one, so none fails. A plain round-robin client,
// beside it, shows the kill did hit calls in flight (it sees those UNAVAILABLE).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpc, grpcTarget, loadProtos, matcherClient, unary, type MatcherClient } from '../../libs/grpc/grpc.js';
import { freePorts, spawnService, waitReady, type ServiceProcess } from '../../services/spawn.js';

describe('matcher client over two matcher processes, one killed -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facerec-matcher-failover-'));
  let matchers: ServiceProcess[];
  let address: string;

  beforeAll(async () => {
    const [p1, p2, h1, h2] = await freePorts(4);
    // Each with its own (empty) galleries: ListModels answers the same on both.
    matchers = [
      [p1!, h1!],
      [p2!, h2!],
    ].map(([port, health], i) =>
      spawnService('matcher', { MATCHER_LISTEN: `127.0.0.1:${port}`, HEALTH_PORT: String(health), FACEREC_DATA_DIR: join(dataDir, `matcher-${i + 1}`), FACEREC_CELEBRITIES: 'none' }, health!, { name: `matcher-${i + 1}` }),
    );
    await Promise.all(matchers.map((m) => waitReady(m, 120_000)));
    address = matchers.map((m) => m.env.MATCHER_LISTEN).join(',');
  });

  afterAll(async () => {
    await Promise.all((matchers ?? []).map((m) => m.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads in flight on the killed one are answered by the other; none fails', async () => {
    const plain = new (loadProtos().facerec.v1.Matcher)(grpcTarget(address), grpc.credentials.createInsecure(), {
      'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    }) as MatcherClient;
    const clients = { matcher: matcherClient(address), plain };
    const tally = { matcher: { ok: 0, afterKill: 0, failed: [] as string[] }, plain: { ok: 0, afterKill: 0, failed: [] as string[] } };
    let killed = false;
    let stop = false;
    const worker = async (which: 'matcher' | 'plain') => {
      const c = clients[which];
      while (!stop) {
        try {
          await unary(c, c.ListModels, {}, { deadline: Date.now() + 10_000 });
          tally[which].ok++;
          if (killed) tally[which].afterKill++;
        } catch (err) {
          tally[which].failed.push(`${(err as grpc.ServiceError).code} ${(err as grpc.ServiceError).details}`);
        }
      }
    };
    // Eight calls of each client always in flight, spread over both processes.
    const workers = [...Array.from({ length: 8 }, () => worker('matcher')), ...Array.from({ length: 8 }, () => worker('plain'))];
    await new Promise((r) => setTimeout(r, 1500));
    expect(matchers[0]!.child.kill('SIGKILL')).toBe(true);
    killed = true;
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(workers);
    clients.matcher.close();
    plain.close();
    console.log(`matcher failover: ${JSON.stringify({ matcher: { ...tally.matcher, failed: tally.matcher.failed.length }, plain: { ...tally.plain, failed: tally.plain.failed.length } })}`);
    expect(tally.plain.failed.length, 'the kill hit calls in flight').toBeGreaterThan(0);
    expect(tally.plain.failed.every((f) => f.startsWith(`${grpc.status.UNAVAILABLE} `)), tally.plain.failed.join('; ')).toBe(true);
    expect(tally.matcher.failed).toEqual([]);
    // Answered on after the kill (a few hundred calls here on a busy 2-core host; 8 is one per worker).
    expect(tally.matcher.afterKill, 'answered on after the kill').toBeGreaterThanOrEqual(8);
  });
});
