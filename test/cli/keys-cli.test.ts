// `facerec keys create|list|revoke` against the real gateway with FACEREC_API_KEY set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../services/cli/args.js';
import { runKeys } from '../../services/cli/keys.js';
import { startGatewayOnly, type RunningGateway } from '../support/gateway.js';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGatewayOnly({ env: { FACEREC_API_KEY: 'admin-key' } });
});
afterAll(async () => {
  await gw?.stop();
});

async function run(argv: string[], env: Record<string, string> = { FACEREC_API_KEY: 'admin-key' }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runKeys([...argv, '--url', gw.url], { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out, err };
}

describe('facerec keys', () => {
  it('creates a key that works with its scopes, lists it, revokes it', async () => {
    const made = await run(['create', 'ingest', '--scopes', 'read,write', '--rate', '5', '--burst', '10']);
    expect(made.code, made.err.join('\n')).toBe(0);
    const key = made.out[1]!;
    expect(key).toMatch(/^frk_/);
    const id = /key (\w+) "ingest" \(read, write\)/.exec(made.out[0]!)![1]!;
    expect((await fetch(`${gw.url}/api/v1/jobs/`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    const list = await run(['list']);
    expect(list.code).toBe(0);
    expect(list.out[0]).toBe('id\tname\tscopes\tcreated\trate limit');
    expect(list.out.find((l) => l.startsWith(id))).toMatch(new RegExp(`^${id}\tingest\tread,write\t\\S+\t5/s burst 10$`));
    expect(list.out.join('\n')).not.toContain(key);

    expect((await run(['revoke', id])).code).toBe(0);
    expect((await fetch(`${gw.url}/api/v1/jobs/`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    const again = await run(['revoke', id]);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/not found \(HTTP 404 not_found\)/);
  });

  it('says why without an admin key, and refuses bad usage', async () => {
    const noKey = await run(['list'], {});
    expect(noKey.code).toBe(1);
    expect(noKey.err[0]).toMatch(/API key is required.*HTTP 401 unauthorized/);
    const bad = await run(['create', 'x', '--scopes', 'root']);
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toContain('field "scopes[0]"');
    await expect(run(['create', 'x'])).rejects.toThrow(UsageError);
    await expect(run(['revoke'])).rejects.toThrow(UsageError);
  });
});
