// The direction of dependencies: libraries never know the applications, and a service reaches
// another only through its gRPC contract or the bus, never by importing its code. The composition
// root (services/product.ts) and the entry points next to it are the one place that knows them all.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICES = ['aggregator', 'decoder', 'detector', 'embedder', 'gateway', 'matcher'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('generated'))
    .map((f) => join(dir, f));
}

/** Every relative module a file imports (static or dynamic), as a path from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
}

describe('module structure', () => {
  it('no file under libs/ imports anything under services/', () => {
    const wrong = sources('libs').flatMap((f) => importsOf(f).filter((i) => i.startsWith('services/')).map((i) => `${f} → ${i}`));
    expect(wrong).toEqual([]);
  });

  it('no service imports another service', () => {
    const wrong = SERVICES.flatMap((s) =>
      sources(`services/${s}`).flatMap((f) =>
        importsOf(f)
          .filter((i) => i.startsWith('services/') && !i.startsWith(`services/${s}/`))
          .map((i) => `${f} → ${i}`),
      ),
    );
    expect(wrong).toEqual([]);
  });

  it('the checks see real imports (the scan is not empty)', () => {
    expect(importsOf('services/product.ts')).toContain('services/gateway/service.js');
    expect(importsOf('services/decoder/decoder-worker.ts').some((i) => i.startsWith('libs/'))).toBe(true);
  });
});
