// Who is calling and what they may do: every /api/v1 request carries a key (Authorization: Bearer
// or X-API-Key) when FACEREC_API_KEY is set; 401 without a valid one, 403 outside its scopes, 429
// past its rate (with Retry-After). Without FACEREC_API_KEY a request without a key acts as an
// anonymous admin (the gateway then listens on loopback only, unless FACEREC_ALLOW_ANONYMOUS).
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../../libs/api/errors.js';
import { Authenticator, hasScope, keyFromHeaders, requiredScope, SCOPES, type Principal, type Scope } from '../../libs/auth/api-keys.js';
import { RateLimiter } from '../../libs/auth/rate-limit.js';
import type { KeyStore } from '../../libs/store/key-store.js';

export interface AuthOptions {
  apiKey: string | null;
  rateLimit: number;
  rateBurst: number;
}

const ANONYMOUS: Principal = { id: 'anonymous', name: 'anonymous', scopes: SCOPES, rateLimit: null };

export function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', null, message);
}

/** The principal an authenticated request acts as (set by `authenticate`). */
export function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? ANONYMOUS;
}

export class GatewayAuth {
  readonly authenticator: Authenticator;
  readonly limiter = new RateLimiter();

  constructor(
    keys: KeyStore,
    private readonly opts: AuthOptions,
  ) {
    this.authenticator = new Authenticator(keys, opts.apiKey);
  }

  /** Middleware: authenticates, rate-limits, then checks the scope `scopeFor` names (null: any valid caller). */
  guard(scopeFor: (req: Request) => Scope | null) {
    return (req: Request, res: Response, next: NextFunction): void => {
      this.check(req, res, scopeFor(req)).then(() => next(), next);
    };
  }

  /** For the routes under /api/v1 (mounted there: req.path is below it). */
  api() {
    return this.guard((req) => requiredScope(req.method, req.path));
  }

  private async check(req: Request, res: Response, scope: Scope | null): Promise<void> {
    const key = keyFromHeaders(req.get('authorization'), req.headers['x-api-key']);
    let principal: Principal;
    if (key === null) {
      if (this.authenticator.required) {
        res.set('WWW-Authenticate', 'Bearer realm="facerec"');
        throw unauthorized('an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
      }
      principal = ANONYMOUS;
    } else {
      const found = await this.authenticator.authenticate(key);
      if (!found) {
        res.set('WWW-Authenticate', 'Bearer realm="facerec", error="invalid_token"');
        throw unauthorized('the API key is not valid (unknown, revoked or mistyped)');
      }
      principal = found;
    }
    res.locals.principal = principal;
    if (principal.id !== 'anonymous') {
      const limit = principal.rateLimit ?? { perSecond: this.opts.rateLimit, burst: this.opts.rateBurst };
      const taken = this.limiter.take(principal.id, limit);
      if (!taken.ok) {
        res.set('Retry-After', String(taken.retryAfterS));
        throw new ApiError(429, 'rate_limited', null, `key ${principal.id} is over its rate of ${limit.perSecond} requests per second; retry after ${taken.retryAfterS} s`);
      }
    }
    if (scope && !hasScope(principal, scope)) {
      throw new ApiError(403, 'forbidden', null, `key ${principal.id} lacks the "${scope}" scope this route needs (it has: ${principal.scopes.join(', ') || 'none'})`);
    }
  }
}
