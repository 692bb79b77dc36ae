// The NATS server for integration tests: NATS_URL (default nats://127.0.0.1:4222). Absent, those
// tests skip with a printed reason on a developer machine and fail under CI, where it must exist.
import { connect } from '@nats-io/transport-node';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** NATS_URL when a JetStream-enabled server answers there, else null (after a warning); throws under CI. */
export async function availableNats(): Promise<string | null> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2000 });
    try {
      const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(nc);
      await jsm.getAccountInfo();
    } finally {
      await nc.close();
    }
    return NATS_URL;
  } catch (err) {
    const reason = `NATS with JetStream is not reachable at ${NATS_URL}: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${reason} (required when CI=true)`);
    console.warn(`skipping tests that need NATS: ${reason}`);
    return null;
  }
}

/** A name no other test run uses, for streams, buckets and subjects. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
