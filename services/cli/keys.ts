// `facerec keys create|list|revoke`: API keys of a running service (admin). The service is
// --url or $FACEREC_URL; the admin key is --key or $FACEREC_API_KEY. `facerec --help` shows KEYS_USAGE,
// so this module imports nothing heavy at its top (the key store's module loads NATS).
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

export const KEYS_USAGE = `  facerec keys create <name> --scopes read,write,galleries,admin [--rate <per second> --burst <n>]
  facerec keys list
  facerec keys revoke <key id>
    --url: the service (default $FACEREC_URL or http://localhost:8080); --key: an admin key (default $FACEREC_API_KEY)`;

interface KeyView {
  id: string;
  name: string;
  scopes: string[];
  created: string;
  rate_limit: { per_second: number; burst: number } | null;
  key?: string;
}

export interface KeysIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

/** Runs `keys <argv>`; the exit code (0, or 1 after printing the service's error). Throws UsageError. */
export async function runKeys(argv: readonly string[], io: Partial<KeysIo> = {}): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  const env = io.env ?? process.env;
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help') {
    out(`usage:\n${KEYS_USAGE}`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { url: { type: 'string' }, key: { type: 'string' }, scopes: { type: 'string' }, rate: { type: 'string' }, burst: { type: 'string' } },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const url = (values.url ?? env.FACEREC_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`--url must be an http(s) URL, got '${url}'`);
  const key = values.key ?? env.FACEREC_API_KEY ?? null;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${url}/api/v1/keys/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      throw new CliFailure(`cannot reach ${url}: ${cause?.code ?? (e as Error).message}`);
    }
    const text = await res.text();
    const parsedBody = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) {
      const e = (parsedBody as { error?: { code: string; message: string; field: string | null } } | null)?.error;
      throw new CliFailure(e ? `${e.message} (HTTP ${res.status} ${e.code}${e.field ? `, field "${e.field}"` : ''})` : `HTTP ${res.status}`);
    }
    return { status: res.status, body: parsedBody };
  };
  const want = (n: number, what: string) => {
    if (positionals.length !== n) throw new UsageError(`keys ${sub} takes ${what}, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(' ') : 'none'}`);
  };
  try {
    switch (sub) {
      case 'create': {
        want(1, '<name>');
        if (!values.scopes) throw new UsageError(`keys create needs --scopes (comma-separated: ${(await import('../../libs/auth/api-keys.js')).SCOPES.join(', ')})`);
        const scopes = values.scopes.split(',').map((s) => s.trim()).filter(Boolean);
        const body: Record<string, unknown> = { name: positionals[0], scopes };
        if (values.rate !== undefined || values.burst !== undefined) {
          const perSecond = Number(values.rate);
          const burst = Number(values.burst ?? Math.max(1, Math.ceil(perSecond * 2)));
          if (!Number.isFinite(perSecond) || !Number.isInteger(burst)) throw new UsageError('--rate must be a number and --burst an integer');
          body.rate_limit = { per_second: perSecond, burst };
        }
        const { body: made } = (await call('POST', '', body)) as { body: KeyView };
        out(`key ${made.id} "${made.name}" (${made.scopes.join(', ')}) created; it is shown this once:`);
        out(made.key!);
        return 0;
      }
      case 'list': {
        want(0, 'no arguments');
        const { body: list } = (await call('GET', '')) as { body: { data: KeyView[] } };
        out(['id', 'name', 'scopes', 'created', 'rate limit'].join('\t'));
        for (const k of list.data) {
          out([k.id, k.name, k.scopes.join(','), k.created, k.rate_limit ? `${k.rate_limit.per_second}/s burst ${k.rate_limit.burst}` : 'default'].join('\t'));
        }
        return 0;
      }
      case 'revoke': {
        want(1, '<key id>');
        await call('DELETE', `${encodeURIComponent(positionals[0]!)}/`);
        out(`key ${positionals[0]} revoked`);
        return 0;
      }
      default:
        throw new UsageError(`unknown keys command '${sub}'\n${KEYS_USAGE}`);
    }
  } catch (e) {
    if (e instanceof CliFailure) {
      err(`facerec keys ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

class CliFailure extends Error {}

export async function keysCommand(argv: string[]): Promise<void> {
  const code = await runKeys(argv);
  if (code !== 0) process.exitCode = code;
}
