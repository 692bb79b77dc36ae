// The image recipes deploy/docker/Dockerfile (CPU) and Dockerfile.gpu, checked without a container
// engine (none exists where this was written; see deploy/README.md): their stages, user, build
// settings and entry point are read from the files, and what can run here does — the entry point's
// command line starts services/main.ts, the model check preloaded before a service refuses missing
// or altered networks, and every module the services load is a production dependency (the images
// prune the dev dependencies) inside the folders the runtime stage copies.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../../libs/config/config.js';
import { defaultValues, DOCKER_DIR, read, REPO_ROOT } from './chart-files.js';
import { lookup } from './helm-template.js';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | null;
  body: Instruction[];
}

/** Stages of a Dockerfile: continuation lines joined, comments dropped, FROM images with ARG defaults substituted. */
function parseDockerfile(path: string): { args: Record<string, string>; stages: Stage[] } {
  const text = read(path)
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      args[k!] = v ?? '';
      continue;
    }
    if (op === 'FROM') {
      const [image, , name] = rest.split(/\s+/);
      stages.push({ from: image!.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? ''), name: name ?? null, body: [] });
      continue;
    }
    stages[stages.length - 1]?.body.push({ op, args: rest });
  }
  return { args, stages };
}

const CPU = parseDockerfile(join(DOCKER_DIR, 'Dockerfile'));
const GPU = parseDockerfile(join(DOCKER_DIR, 'Dockerfile.gpu'));
const runtimeOf = (f: typeof CPU): Stage => f.stages[f.stages.length - 1]!;
const stageNamed = (f: typeof CPU, name: string): Stage => f.stages.find((s) => s.name === name)!;
const ops = (stage: Stage, op: string): string[] => stage.body.filter((i) => i.op === op).map((i) => i.args);
const indexOf = (stage: Stage, pred: (i: Instruction) => boolean): number => stage.body.findIndex(pred);
const execForm = (args: string): string[] => JSON.parse(args) as string[];

describe('Dockerfiles', () => {
  for (const [label, file] of [
    ['CPU', CPU],
    ['GPU', GPU],
  ] as const) {
    describe(label, () => {
      it('is multi-stage: a build stage, then a runtime stage', () => {
        expect(file.stages.length).toBeGreaterThanOrEqual(2);
        expect(stageNamed(file, 'build')).toBeDefined();
        expect(runtimeOf(file).name).toBe('runtime');
      });

      it('installs with npm ci (models converted and checked by postinstall), then prunes the dev dependencies', () => {
        const build = stageNamed(file, 'build');
        const ci = indexOf(build, (i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
        const prune = indexOf(build, (i) => i.op === 'RUN' && /npm prune --omit=dev/.test(i.args));
        expect(ci).toBeGreaterThanOrEqual(0);
        expect(prune).toBeGreaterThan(ci);
        // The models' catalog and converters are in the build context before npm ci runs its postinstall.
        expect(indexOf(build, (i) => i.op === 'COPY' && /^models\/?\s/.test(i.args))).toBeLessThan(ci);
        const pkg = JSON.parse(read(join(REPO_ROOT, 'package.json'))) as { scripts: Record<string, string> };
        expect(pkg.scripts.postinstall).toContain('models/tools/build-models.ts');
      });

      it('the runtime stage copies only the build output it runs (and, GPU, Node itself), from earlier stages', () => {
        const copies = ops(runtimeOf(file), 'COPY');
        expect(copies.length).toBeGreaterThan(0);
        // Nothing from the build context: only --from=build (the application) and --from=node (the GPU image's Node.js).
        for (const copy of copies) expect(copy, copy).toMatch(/^--from=(build|node)\s/);
        const sources = copies.filter((c) => c.startsWith('--from=build')).flatMap((c) => c.replace(/^--from=build\s+/, '').split(/\s+/).slice(0, -1));
        for (const needed of ['/app/node_modules', '/app/models', '/app/dist', '/app/web/dist', '/app/proto', '/app/package.json', '/app/deploy/docker/verify-models.mjs']) {
          expect(sources, needed).toContain(needed);
        }
        expect(sources.filter((s) => /\/app\/?$|\/app\/(test|scripts|\.git)/.test(s))).toEqual([]);
      });

      it('runs as a non-root user, uid 10001 (the chart’s runAsUser)', () => {
        const runtime = runtimeOf(file);
        const users = ops(runtime, 'USER');
        expect(users.length).toBeGreaterThan(0);
        const user = users[users.length - 1]!;
        expect(user).not.toMatch(/^(root|0)(:|$)/);
        expect(user.split(':')[0]).toBe('10001');
        expect(ops(runtime, 'RUN').join(' ')).toMatch(/useradd[^&]*--uid 10001/);
        expect(lookup(defaultValues(), ['podSecurityContext', 'runAsUser'])).toBe(10001);
        // Nothing after USER switches back to root.
        expect(runtime.body.slice(indexOf(runtime, (i) => i.op === 'USER')).filter((i) => i.op === 'RUN')).toEqual([]);
      });

      it('its entry point runs the compiled services/main.ts (dist/services/main.js), the model check preloaded; the argument picks the service', () => {
        const runtime = runtimeOf(file);
        const entry = execForm(ops(runtime, 'ENTRYPOINT').pop()!);
        expect(entry).toEqual(['node', '--import', './deploy/docker/verify-models.mjs', 'dist/services/main.js']);
        // npm ci compiles it (postinstall → npm run build), from sources copied in before npm ci runs.
        const build = stageNamed(file, 'build');
        const ci = indexOf(build, (i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
        for (const source of ['libs/', 'services/', 'proto/', 'web/', 'scripts/build.mjs', 'tsconfig.build.json']) {
          const at = indexOf(build, (i) => i.op === 'COPY' && i.args.split(/\s+/).slice(0, -1).includes(source));
          expect(at, source).toBeGreaterThanOrEqual(0);
          expect(at, source).toBeLessThan(ci);
        }
        expect(ops(build, 'RUN').join(' ')).toMatch(/test -f dist\/\.built/);
        const cmd = execForm(ops(runtime, 'CMD').pop()!);
        expect(cmd).toHaveLength(1);
        expect(['all', ...SERVICE_NAMES]).toContain(cmd[0]);
        expect(ops(runtime, 'WORKDIR').pop()).toBe('/app');
        expect(ops(runtime, 'HEALTHCHECK')).toEqual([]);
      });
    });
  }

  it('CPU: node:20 bookworm for building, node:20-bookworm-slim at run time; onnxruntime-node downloads nothing', () => {
    expect(stageNamed(CPU, 'build').from).toBe('node:20-bookworm');
    expect(runtimeOf(CPU).from).toBe('node:20-bookworm-slim');
    const build = stageNamed(CPU, 'build');
    const env = indexOf(build, (i) => i.op === 'ENV' && /ONNXRUNTIME_NODE_INSTALL=skip/.test(i.args));
    expect(env).toBeGreaterThanOrEqual(0);
    expect(env).toBeLessThan(indexOf(build, (i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args)));
    expect(ops(runtimeOf(CPU), 'ENV').join(' ')).toMatch(/FACEREC_EXECUTION_PROVIDERS=cpu\b/);
  });

  it('GPU: a CUDA 12 + cuDNN runtime base in every stage, Node 20, npm ci under ONNXRUNTIME_NODE_INSTALL=cuda12, the CUDA provider library required', () => {
    for (const stage of GPU.stages) expect(stage.from, String(stage.name)).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn[0-9]*-runtime-ubuntu\d+\.\d+$/);
    expect(GPU.args.NODE_VERSION).toMatch(/^20\.\d+\.\d+$/);
    const build = stageNamed(GPU, 'build');
    const env = indexOf(build, (i) => i.op === 'ENV' && /ONNXRUNTIME_NODE_INSTALL=cuda12/.test(i.args));
    expect(env).toBeGreaterThanOrEqual(0);
    expect(env).toBeLessThan(indexOf(build, (i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args)));
    // The file the build insists on is the one libs/engine/session.ts looks for before it asks for CUDA.
    const session = read(join(REPO_ROOT, 'libs/engine/session.ts'));
    const lib = /'(libonnxruntime_providers_cuda\.so)'/.exec(session)?.[1];
    expect(lib).toBe('libonnxruntime_providers_cuda.so');
    expect(ops(build, 'RUN').some((r) => r.includes(`test -f`) && r.includes(`napi-v6/linux/x64/${lib}`))).toBe(true);
    expect(ops(runtimeOf(GPU), 'ENV').join(' ')).toMatch(/FACEREC_EXECUTION_PROVIDERS=cuda,cpu\b/);
    // Node comes from nodejs.org with its checksum verified.
    expect(ops(stageNamed(GPU, 'node'), 'RUN').join(' ')).toMatch(/SHASUMS256\.txt.*sha256sum -c/);
  });

  it('.dockerignore keeps the host’s node_modules and models out, and nothing the recipes copy', () => {
    const ignored = read(join(REPO_ROOT, '.dockerignore'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const must of ['node_modules', 'models/onnx', 'data', 'scratch']) expect(ignored).toContain(must);
    const copied = [CPU, GPU].flatMap((f) =>
      stageNamed(f, 'build')
        .body.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
    );
    for (const source of copied) {
      const path = source.replace(/\/$/, '');
      expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
      expect(ignored.some((pattern) => path === pattern || path.startsWith(`${pattern}/`)), `${path} is ignored`).toBe(false);
    }
  });
});

describe('what the images run', () => {
  it('tsx, which runs the TypeScript where no current build exists (bin/facerec.js, bin/run.js), is a production dependency', () => {
    const pkg = JSON.parse(read(join(REPO_ROOT, 'package.json'))) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.devDependencies.tsx).toBeUndefined();
  });

  it('every module services/main.ts loads is a Node builtin or a production dependency, in a folder compiled into dist/ (tsconfig.build.json)', () => {
    const pkg = JSON.parse(read(join(REPO_ROOT, 'package.json'))) as { dependencies: Record<string, string> };
    const copied = ['libs', 'services', 'models'];
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = [join(REPO_ROOT, 'services/main.ts'), join(REPO_ROOT, 'deploy/docker/verify-models.mjs')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of runtimeImports(file)) {
        if (spec.startsWith('.')) {
          const target = resolvePath(dirname(file), spec).replace(/\.js$/, existsSync(resolvePath(dirname(file), spec)) ? '.js' : '.ts');
          expect(existsSync(target), `${relative(REPO_ROOT, file)} imports ${spec}`).toBe(true);
          queue.push(target);
        } else packages.add(spec);
      }
    }
    expect(seen.size).toBeGreaterThan(30);
    const outside = [...seen].map((f) => relative(REPO_ROOT, f)).filter((f) => !copied.some((d) => f.startsWith(`${d}/`)) && f !== 'deploy/docker/verify-models.mjs');
    expect(outside).toEqual([]);
    const builtins = new Set(builtinModules);
    const notProduction = [...packages]
      .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!))
      .filter((name) => !name.startsWith('node:') && !builtins.has(name) && !(name in pkg.dependencies));
    expect(notProduction).toEqual([]);
  });

  it('the entry point’s command line starts services/main.ts here (an unknown service is refused with its usage)', () => {
    const entry = execForm(ops(runtimeOf(CPU), 'ENTRYPOINT').pop()!);
    const run = spawnSync(process.execPath, [...entry.slice(1), 'no-such-service'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('unknown service: no-such-service');
    expect(run.stderr).toContain('usage: services/main.ts all | gateway');
  });
});

describe('model check at start (deploy/docker/verify-models.mjs, preloaded by the entry point)', () => {
  const preload = join(DOCKER_DIR, 'verify-models.mjs');
  const scratch = mkdtempSync(join(tmpdir(), 'facerec-models-'));
  const probe = join(scratch, 'started.mjs');
  writeFileSync(probe, "console.log('service started');\n");
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const catalog = JSON.parse(read(join(REPO_ROOT, 'models/catalog.json'))) as { models: Record<string, { role: string; onnx: { file: string } }> };
  const fileOf = (id: string) => catalog.models[id]!.onnx.file;

  const start = (service: string, modelsDir?: string) =>
    spawnSync(process.execPath, ['--import', preload, probe, service], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, FACEREC_MODELS_DIR: modelsDir ?? '' },
    });

  it('lets a detector and an embedder start when the built models match the catalog', () => {
    for (const service of ['detector', 'embedder', 'all']) {
      const run = start(service);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('service started');
    }
  });

  it('stops a detector whose model was altered, naming the model and both checksums', () => {
    const dir = join(scratch, 'altered');
    rmSync(dir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', dir]);
    copyFileSync(join(REPO_ROOT, 'models/onnx', fileOf('yunet')), join(dir, fileOf('yunet')));
    const bytes = readFileSync(join(dir, fileOf('yunet')));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(join(dir, fileOf('yunet')), bytes);
    const run = start('detector', dir);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('service started');
    const line = JSON.parse(run.stderr.trim().split('\n').pop()!) as { level: number; problems: string[] };
    expect(line.level).toBe(60);
    expect(line.problems).toHaveLength(1);
    expect(line.problems[0]).toMatch(/^yunet: .* has SHA-256 [0-9a-f]{64}, models\/catalog\.json pins [0-9a-f]{64}$/);
  });

  it('stops an embedder whose model is missing; services that load no model start without any', () => {
    const empty = join(scratch, 'empty');
    spawnSync('mkdir', ['-p', empty]);
    const embedder = start('embedder', empty);
    expect(embedder.status).toBe(1);
    expect(embedder.stderr).toContain(`faceplugin-fr512: ${join(empty, fileOf('faceplugin-fr512'))} is missing`);
    for (const service of ['gateway', 'decoder', 'matcher', 'aggregator']) {
      const run = start(service, empty);
      expect(run.status, `${service}: ${run.stderr}`).toBe(0);
    }
  });
});

/** Module specifiers a file loads at run time: imports and re-exports that are not type-only, and dynamic imports of literals. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !node.importClause?.isTypeOnly) specs.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) specs.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) specs.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs;
}
