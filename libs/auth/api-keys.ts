// API keys: made, hashed (scrypt) and checked here; stored by a KeyStore. A key reads
// "frk_<id>_<secret>": the id finds the stored record, the secret is checked against its hash.
// FACEREC_API_KEY is the bootstrap admin key and is never stored.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { KEY_ID_PATTERN, SCOPES, type ApiKeyRecord, type KeyStore, type Scope } from '../store/key-store.js';

export { SCOPES, type Scope };

const scrypt = (secret: BinaryLike, salt: BinaryLike, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

/** scrypt cost: N=2^14, r=8 (16 MiB, tens of ms); verified keys are remembered, so it is paid once per key and process. */
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_PATTERN = /^frk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
/** How long a wrong secret for an existing id is remembered as wrong (no scrypt for repeats). */
const NEGATIVE_TTL_MS = 60_000;
const MAX_CACHED = 10_000;

export interface Principal {
  /** Key id; "bootstrap" for FACEREC_API_KEY, "anonymous" for a request without a key where that is allowed. */
  id: string;
  name: string;
  scopes: readonly Scope[];
  rateLimit: { perSecond: number; burst: number } | null;
}

/** admin may do everything; otherwise the scope itself is needed. */
export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.includes('admin') || p.scopes.includes(scope);
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, 32, SCRYPT);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, saltHex, hashHex] = stored.split('$');
  if (kind !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = await scrypt(secret, Buffer.from(saltHex, 'hex'), expected.length, SCRYPT);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new key: its stored record and the key text, shown to the caller once. */
export async function makeKey(name: string, scopes: readonly Scope[], rateLimit: ApiKeyRecord['rateLimit'] = null): Promise<{ record: ApiKeyRecord; key: string }> {
  const id = randomBytes(16).toString('base64url').replace(/[^A-Za-z0-9]/g, '').padEnd(16, '0').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = { id, name, scopes: [...new Set(scopes)], hash: await hashSecret(secret), created: new Date().toISOString(), rateLimit };
  return { record, key: `frk_${id}_${secret}` };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class Authenticator {
  private readonly bootstrapDigest: Buffer | null;
  /** sha256(key) → key id, for keys whose secret was verified (their record is still read each time: revocation is immediate). */
  private readonly verified = new Map<string, string>();
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly keys: KeyStore,
    bootstrapKey: string | null,
  ) {
    this.bootstrapDigest = bootstrapKey ? sha256(bootstrapKey) : null;
  }

  /** Keys are required (FACEREC_API_KEY is set). */
  get required(): boolean {
    return this.bootstrapDigest !== null;
  }

  /** The key's principal, or null when it is not a valid key. */
  async authenticate(key: string): Promise<Principal | null> {
    const digest = sha256(key);
    if (this.bootstrapDigest && timingSafeEqual(digest, this.bootstrapDigest)) {
      return { id: 'bootstrap', name: 'FACEREC_API_KEY', scopes: SCOPES, rateLimit: null };
    }
    const m = KEY_PATTERN.exec(key);
    if (!m) return null;
    const [, id, secret] = m as unknown as [string, string, string];
    if (!KEY_ID_PATTERN.test(id)) return null;
    const record = await this.keys.get(id);
    if (!record) return null;
    const cacheKey = digest.toString('hex');
    if (this.verified.get(cacheKey) !== id) {
      const refusedAt = this.refused.get(cacheKey);
      if (refusedAt !== undefined && Date.now() - refusedAt < NEGATIVE_TTL_MS) return null;
      if (!(await verifySecret(secret, record.hash))) {
        remember(this.refused, cacheKey, Date.now());
        return null;
      }
      remember(this.verified, cacheKey, id);
    }
    return { id: record.id, name: record.name, scopes: record.scopes, rateLimit: record.rateLimit };
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_CACHED) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/** The key a request carries: `Authorization: Bearer <key>` or `X-API-Key: <key>`; null when none. */
export function keyFromHeaders(authorization: string | undefined, xApiKey: string | string[] | undefined): string | null {
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m ? m[1]! : authorization.trim();
  }
  const x = Array.isArray(xApiKey) ? xApiKey[0] : xApiKey;
  return x?.trim() || null;
}

/**
 * The scope a route of /api/v1 needs (`path` below /api/v1); null: any valid key.
 * jobs and uploads: read to look, write to submit, upload, cancel or delete; models and the identity
 * index: galleries; keys, audit and erasure (DELETE of an indexed identity too): admin.
 */
export function requiredScope(method: string, path: string): Scope | null {
  const first = path.split('/').filter(Boolean)[0] ?? '';
  switch (first) {
    case 'jobs':
      return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    case 'storage':
      return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    case 'models':
      return 'galleries';
    case 'identities':
      return method === 'DELETE' ? 'admin' : 'galleries';
    case 'keys':
    case 'audit':
    case 'erasure':
      return 'admin';
    default:
      return null;
  }
}
