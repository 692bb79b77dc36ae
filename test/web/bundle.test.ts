// The built app stays small: its JavaScript at most 20 kB gzipped, today's 16.8 kB and a little room
// (the figure is printed). A new dependency or a feature that takes more should move the bound on
// purpose, in its own commit, with the reason.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../services/gateway/web-app.js';

/** Bytes of gzipped JavaScript (level 9) the app may ship. */
const LIMIT_GZIP = 20_000;

const missing = !existsSync(join(WEB_DIST, 'index.html'));
if (missing) {
  if (process.env.CI === 'true') throw new Error(`the web app is not built (${WEB_DIST}): npm ci builds it, or npm run build:web`);
  console.warn(`skipping the bundle size test: the web app is not built (${WEB_DIST}: npm run build:web)`);
}

describe.skipIf(missing)('the built web app', () => {
  it(`ships at most ${LIMIT_GZIP / 1000} kB of gzipped JavaScript`, () => {
    const assets = join(WEB_DIST, 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    const raw = js.reduce((n, f) => n + readFileSync(join(assets, f)).length, 0);
    const gz = js.reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
    console.log(`web app JavaScript: ${js.length} file(s), ${(raw / 1000).toFixed(1)} kB, ${(gz / 1000).toFixed(1)} kB gzipped`);
    expect(gz).toBeLessThanOrEqual(LIMIT_GZIP);
  });
});
