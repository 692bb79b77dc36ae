// The review web app (web/, built into web/dist by `npm ci` or `npm run build:web`), served at `/`
// on the API's origin. Its pages live in the URL's hash, so only `/` and its assets are served here.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** The app may load its own files, media and thumbnails (uploads, data: URLs, blob: URLs, URL sources). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: http: https:",
  "media-src 'self' blob: http: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function webAppRoutes(dir: string = WEB_DIST): Router {
  const router = Router();
  if (!existsSync(join(dir, 'index.html'))) {
    router.get('/', (_req, res) => void res.status(404).type('text/plain').send('The review web app is not built here: run `npm run build:web`.\n'));
    return router;
  }
  // Hashed file names: cached for good.
  router.use('/assets', express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true }));
  router.get(['/', '/index.html'], (_req, res) => {
    res.set({ 'content-security-policy': CSP, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
    res.sendFile('index.html', { root: dir });
  });
  return router;
}
