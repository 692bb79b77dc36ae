// The files of deploy/helm/facerec, read once for the deploy tests: values (defaults and the
// examples merged over them), templates preprocessed in both branch modes, and lookups by kind.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  isMap,
  mergeValues,
  parseDocuments,
  preprocess,
  type BranchMode,
  type EvalContext,
  type ParsedDoc,
  type Preprocessed,
} from './helm-template.js';

export const REPO_ROOT = resolvePath(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART_DIR = join(REPO_ROOT, 'deploy/helm/facerec');
export const TEMPLATES_DIR = join(CHART_DIR, 'templates');
export const DOCKER_DIR = join(REPO_ROOT, 'deploy/docker');

export const read = (path: string): string => readFileSync(path, 'utf8');

export function chartYaml(): Record<string, unknown> {
  return parseYaml(read(join(CHART_DIR, 'Chart.yaml'))) as Record<string, unknown>;
}

export function defaultValues(): Record<string, unknown> {
  return parseYaml(read(join(CHART_DIR, 'values.yaml'))) as Record<string, unknown>;
}

export function exampleFiles(): string[] {
  return readdirSync(join(CHART_DIR, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(CHART_DIR, 'examples', f));
}

/** values.yaml, and each example merged over it the way `helm install -f` does. */
export function valueSets(): { name: string; values: Record<string, unknown> }[] {
  const defaults = defaultValues();
  return [
    { name: 'values.yaml', values: defaults },
    ...exampleFiles().map((file) => ({
      name: `examples/${file.split('/').pop()!}`,
      values: mergeValues(defaults, parseYaml(read(file))) as Record<string, unknown>,
    })),
  ];
}

export function evalContext(values: Record<string, unknown>): EvalContext {
  const chart = chartYaml();
  return { values, release: { Name: 'rel', Namespace: 'facerec-ns' }, chart: { Name: String(chart.name), AppVersion: String(chart.appVersion) } };
}

export function templateFiles(): string[] {
  return readdirSync(TEMPLATES_DIR).sort();
}

export const YAML_TEMPLATES = (): string[] => templateFiles().filter((f) => f.endsWith('.yaml'));

export interface TemplateDoc extends ParsedDoc {
  file: string;
  pre: Preprocessed;
  mode: BranchMode;
}

const cache = new Map<string, TemplateDoc[]>();

/**
 * Every non-empty document of every YAML template, preprocessed under `mode`: 'then' or 'else'
 * for structure, or an evaluation context to keep the branches helm would take under its values.
 */
export function templateDocs(mode: BranchMode): TemplateDoc[] {
  const key = typeof mode === 'string' ? mode : JSON.stringify(mode);
  const hit = cache.get(key);
  if (hit) return hit;
  const docs: TemplateDoc[] = [];
  for (const file of YAML_TEMPLATES()) {
    const pre = preprocess(read(join(TEMPLATES_DIR, file)), mode);
    for (const doc of parseDocuments(pre, file)) {
      if (doc.data !== null && doc.data !== undefined) docs.push({ ...doc, file, pre, mode });
    }
  }
  cache.set(key, docs);
  return docs;
}

export const kindOf = (doc: TemplateDoc): string => String((doc.data as Record<string, unknown>).kind);

export function docsOfKind(kind: string, mode: BranchMode = 'then'): TemplateDoc[] {
  // (mode: see templateDocs)
  return templateDocs(mode).filter((d) => kindOf(d) === kind);
}

/** Object at a path of plain data, or undefined. */
export function at(data: unknown, ...path: (string | number)[]): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

export interface Container {
  name: string;
  image?: unknown;
  args?: string[];
  env?: { name: string; value?: unknown; valueFrom?: { secretKeyRef?: { name: unknown; key: unknown } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: unknown }[];
  livenessProbe?: { httpGet?: { path: string; port: unknown } };
  readinessProbe?: { httpGet?: { path: string; port: unknown } };
  startupProbe?: { httpGet?: { path: string; port: unknown } };
  resources?: { requests?: Record<string, unknown> | null; limits?: Record<string, unknown> | null };
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
}

export function containers(deployment: TemplateDoc): Container[] {
  return (at(deployment.data, 'spec', 'template', 'spec', 'containers') as Container[] | undefined) ?? [];
}

/** Every `.Values` leaf path of a values tree, as dotted strings (maps descended, lists are leaves). */
export function leafPaths(node: unknown, prefix: string[] = []): string[][] {
  if (!isMap(node) || Object.keys(node).length === 0) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}
