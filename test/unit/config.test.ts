import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, CONFIG_VARIABLES, loadConfig } from '../../libs/config/config.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';

/** The names a parser reads from its env: an env that remembers what it was asked. */
function namesRead(parse: (env: NodeJS.ProcessEnv) => unknown): string[] {
  const asked = new Set<string>();
  parse(new Proxy({} as NodeJS.ProcessEnv, { get: (_t, name) => (typeof name === 'string' && asked.add(name), undefined) }));
  return [...asked].sort();
}

describe('loadConfig', () => {
  it('has embedded defaults: no NATS, no Qdrant, data in ./data, gateway on 8080', () => {
    const c = loadConfig({});
    expect(c.natsUrl).toBeNull();
    expect(c.qdrantUrl).toBeNull();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.gateway.port).toBe(8080);
    expect(c.fetch.allowPrivate).toBe(false);
  });

  it('lists in CONFIG_VARIABLES every variable it and the session options read (the chart test checks that list against values.schema.json)', () => {
    const read = [...namesRead(loadConfig), ...namesRead(sessionConfigFromEnv)];
    expect(read).toContain('FACEREC_DETECTOR');
    expect(read.filter((n) => !CONFIG_VARIABLES.includes(n))).toEqual([]);
  });

  it("the README's Configuration table names every variable of CONFIG_VARIABLES, and no other one the service reads", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## Layout'));
    const documented = new Set(section.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)));
    // Read by the model build, the tests and the facerec command, not by the service.
    const notService = ['FACEREC_MODEL_MIRROR', 'FACEREC_TEST_DATA', 'FACEREC_URL'];
    expect(CONFIG_VARIABLES.filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented].filter((n) => !CONFIG_VARIABLES.includes(n) && !notService.includes(n))).toEqual([]);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({ NATS_URL: 'nats://n:4222', PORT: '9000', FACEREC_ALLOW_PRIVATE_URLS: 'yes', EMBEDDER_BATCH_SIZE: '8', FACEREC_FETCH_TIMEOUT_S: '5' });
    expect(c.natsUrl).toBe('nats://n:4222');
    expect(c.gateway.port).toBe(9000);
    expect(c.fetch.allowPrivate).toBe(true);
    expect(c.embedder.batchSize).toBe(8);
    expect(c.fetch.timeoutMs).toBe(5000);
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['NATS_URL', 'PORT', 'FACEREC_ALLOW_PRIVATE_URLS', 'EMBEDDER_BATCH_SIZE']));
  });

  it('reads DATABASE_URL (galleries in PostgreSQL; default none), refusing what is not a postgres URL without echoing it', () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/facerec' }).databaseUrl).toBe('postgres://u:p@db:5432/facerec');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/facerec' }).databaseUrl).toBe('postgresql://db/facerec');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@db/x' })).toThrow(/^DATABASE_URL:/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@db/x' })).not.toThrow(/secret/);
    expect(CONFIG_VARIABLES).toContain('DATABASE_URL');
  });

  it('reads FACEREC_ALLOW_PRIVATE_HOSTS: host names whose private addresses URL sources may use (default none)', () => {
    expect(loadConfig({}).fetch.allowPrivateHosts).toEqual([]);
    expect(loadConfig({ FACEREC_ALLOW_PRIVATE_HOSTS: ' Media.internal, localhost ,' }).fetch.allowPrivateHosts).toEqual(['media.internal', 'localhost']);
    expect(CONFIG_VARIABLES).toContain('FACEREC_ALLOW_PRIVATE_HOSTS');
  });

  it('reads the work queues\' ack wait (FACEREC_QUEUE_ACK_WAIT_S, seconds; default 30)', () => {
    expect(loadConfig({}).queue.ackWaitMs).toBe(30_000);
    expect(loadConfig({ FACEREC_QUEUE_ACK_WAIT_S: '4' }).queue.ackWaitMs).toBe(4000);
    expect(() => loadConfig({ FACEREC_QUEUE_ACK_WAIT_S: '0' })).toThrow(/^FACEREC_QUEUE_ACK_WAIT_S:/);
    expect(CONFIG_VARIABLES).toContain('FACEREC_QUEUE_ACK_WAIT_S');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['EMBEDDER_BATCH_SIZE', '0'],
    ['FACEREC_ALLOW_PRIVATE_URLS', 'maybe'],
    ['FACEREC_NATS_PREFIX', 'a.b'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });
});
