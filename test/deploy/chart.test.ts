// The Helm chart deploy/helm/facerec, checked without helm (no helm binary exists where this was
// written; see deploy/README.md): every file parses, the values schema accepts the shipped values
// and rejects wrong ones, every `.Values` path a template reads exists, and the manifests agree with
// the code they deploy — the services and their arguments, the probe paths and the ports the code
// listens on (through loadConfig of the env the chart sets), env names against CONFIG_VARIABLES,
// grace periods against FACEREC_SHUTDOWN_GRACE_S, headless gRPC Services against *_LISTEN/*_ADDR,
// GPU requests on the GPU services only, KEDA triggers against the bus's stream names and the
// metrics the services export. Templates are read through helm-template.ts (a pre-processor, not
// a renderer): what includes and toYaml emit is not checked here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { CONFIG_VARIABLES, loadConfig, SERVICE_NAMES } from '../../libs/config/config.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';
import { QUEUE_NAMES } from '../../libs/jobs/types.js';
import { listenHost } from '../../services/gateway/service.js';
import { metrics } from '../../libs/service/metrics.js';
import {
  at,
  CHART_DIR,
  chartYaml,
  containers,
  defaultValues,
  docsOfKind,
  evalContext,
  exampleFiles,
  kindOf,
  leafPaths,
  read,
  REPO_ROOT,
  templateDocs,
  templateFiles,
  TEMPLATES_DIR,
  valueSets,
  YAML_TEMPLATES,
  type Container,
  type TemplateDoc,
} from './chart-files.js';
import { actionOf, isMap, isPlaceholder, lookup, mergeValues, resolve, Unresolved, valuesPaths, type BranchMode, type EvalContext } from './helm-template.js';

const GPU_SERVICES = ['detector', 'embedder'] as const;
const GRPC_SERVICES = ['detector', 'embedder', 'matcher'] as const;
const WORKERS_ON_QUEUES = { decoder: 'decode', aggregator: 'aggregate' } as const;

type Values = Record<string, unknown>;

/** The Deployment of a service: the one whose container is named after it. */
function deploymentOf(service: string, mode: BranchMode = 'then'): TemplateDoc {
  const found = docsOfKind('Deployment', mode).filter((d) => containers(d).some((c) => c.name === service));
  expect(found, `Deployments running ${service}`).toHaveLength(1);
  return found[0]!;
}

function containerOf(service: string, mode: BranchMode = 'then'): { doc: TemplateDoc; container: Container } {
  const doc = deploymentOf(service, mode);
  const container = containers(doc).find((c) => c.name === service)!;
  return { doc, container };
}

/**
 * The environment a service's container gets from the chart under a set of values (the templates
 * preprocessed with the branches those values select): the ConfigMap (envFrom), then the
 * container's own env. Entries made by `range` over `.Values.config` and `.Values.<service>.env`
 * are taken from those values (the templates' ranges are checked below). Values built by helpers
 * (NATS_URL, QDRANT_URL) are not evaluated and left out.
 */
function environment(service: string, values: Values): Record<string, string> {
  const ctx = evalContext(values);
  const env: Record<string, string> = {};
  const put = (name: string, raw: unknown, pre: TemplateDoc['pre']) => {
    try {
      const v = resolve(raw, pre, ctx);
      env[name] = typeof v === 'string' ? v : String(v);
    } catch (err) {
      if (!(err instanceof Unresolved)) throw err;
    }
  };
  const [configMap] = docsOfKind('ConfigMap', ctx);
  for (const [name, raw] of Object.entries((at(configMap!.data, 'data') as Record<string, unknown>) ?? {})) {
    if (!isPlaceholder(name)) put(name, raw, configMap!.pre);
  }
  for (const [name, value] of Object.entries((values.config as Values) ?? {})) env[name] = String(value);
  const { doc, container } = containerOf(service, ctx);
  for (const entry of container.env ?? []) {
    if (isPlaceholder(entry.name)) continue;
    // A value from a Secret stands in as `<secret>/<key>` (what the kubelet would read there is not known here).
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref) env[entry.name] = `${String(resolve(ref.name, doc.pre, ctx))}/${String(resolve(ref.key, doc.pre, ctx))}`;
    else put(entry.name, entry.value, doc.pre);
  }
  for (const [name, value] of Object.entries((lookup(values, [service, 'env']) as Values) ?? {})) env[name] = String(value);
  return env;
}

/** A container port by name, evaluated. */
function portNamed(service: string, name: unknown, values: Values): number {
  const { doc, container } = containerOf(service, evalContext(values));
  const port = (container.ports ?? []).find((p) => p.name === name);
  expect(port, `${service} has a container port named ${String(name)}`).toBeDefined();
  return Number(resolve(port!.containerPort, doc.pre, evalContext(values)));
}

/** resolve(), or undefined where the evaluator does not know the action (an include, a toYaml). */
function tryResolve(scalar: unknown, pre: TemplateDoc['pre'], ctx: EvalContext): unknown {
  try {
    return resolve(scalar, pre, ctx);
  } catch (err) {
    if (err instanceof Unresolved) return undefined;
    throw err;
  }
}

function ajv() {
  const validator = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  return validator.compile(JSON.parse(read(join(CHART_DIR, 'values.schema.json'))) as object);
}

describe('chart files parse', () => {
  it('Chart.yaml, values.yaml and every example parse as YAML, without duplicate keys', () => {
    const files = [join(CHART_DIR, 'Chart.yaml'), join(CHART_DIR, 'values.yaml'), ...exampleFiles()];
    expect(exampleFiles().map((f) => f.split('/').pop())).toEqual(['values-cpu.yaml', 'values-gpu.yaml']);
    for (const file of files) {
      const docs = parseAllDocuments(read(file), { uniqueKeys: true });
      const list = Array.isArray(docs) ? docs : [docs];
      expect(list.flatMap((d) => d.errors.map((e) => e.message)), file).toEqual([]);
      expect(isMap(list[0]!.toJS()), file).toBe(true);
    }
  });

  it('Chart.yaml is a v2 application chart with the official NATS and Qdrant charts as optional dependencies', () => {
    const chart = chartYaml();
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'facerec', type: 'application' });
    expect(String(chart.version)).toMatch(/^\d+\.\d+\.\d+/);
    const deps = chart.dependencies as { name: string; repository: string; condition: string; version: string }[];
    expect(deps.map((d) => [d.name, d.repository, d.condition])).toEqual([
      ['nats', 'https://nats-io.github.io/k8s/helm/charts/', 'nats.enabled'],
      ['qdrant', 'https://qdrant.github.io/qdrant-helm', 'qdrant.enabled'],
    ]);
    const values = defaultValues();
    for (const dep of deps) {
      expect(dep.version, dep.name).toBeTruthy();
      expect(lookup(values, dep.condition.split('.')), `${dep.condition} in values.yaml`).toBe(false);
    }
  });

  it('the chart holds the templates the deployment needs', () => {
    const files = templateFiles();
    for (const f of ['_helpers.tpl', 'NOTES.txt', 'configmap.yaml', 'secret.yaml', 'serviceaccount.yaml', 'ingress.yaml', 'pdb.yaml', 'hpa.yaml', 'keda-scaledobjects.yaml', 'matcher-pvc.yaml']) {
      expect(files, f).toContain(f);
    }
  });

  for (const mode of ['then', 'else'] as const) {
    it(`every template parses as YAML once its actions are replaced (${mode === 'then' ? 'first' : 'else'} branches)`, () => {
      const docs = templateDocs(mode);
      expect(new Set(docs.map((d) => d.file)).size).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(isMap(doc.data), `${doc.file}#${doc.index}`).toBe(true);
        expect(at(doc.data, 'apiVersion'), `${doc.file}#${doc.index} apiVersion`).toBeTruthy();
        expect(at(doc.data, 'kind'), `${doc.file}#${doc.index} kind`).toBeTruthy();
        expect(at(doc.data, 'metadata', 'name'), `${doc.file}#${doc.index} metadata.name`).toBeTruthy();
      }
    });
  }

  it('every YAML template yields at least one document in "then" mode (none is parsed away)', () => {
    const files = new Set(templateDocs('then').map((d) => d.file));
    expect([...files].sort()).toEqual(YAML_TEMPLATES());
  });
});

describe('templates under the shipped values (branches chosen as helm would)', () => {
  it('parse under values.yaml and each example; the only conditions left undecided are a helper call and a nested range', () => {
    // (a helper-built QDRANT_URL, and the paths of an Ingress host: `.paths` is relative to the outer range)
    const known = ['range .paths', 'with (include "facerec.qdrantUrl" .)'];
    for (const { name, values } of valueSets()) {
      const docs = templateDocs(evalContext(values));
      expect(docs.length, name).toBeGreaterThan(SERVICE_NAMES.length);
      const unresolved = [...new Set(docs.flatMap((d) => d.pre.unresolved))].sort();
      expect(unresolved.filter((u) => !known.includes(u)), name).toEqual([]);
    }
  });

  it('make the objects each value set asks for', () => {
    const kinds = (values: Values) => {
      const ctx = evalContext(values);
      return templateDocs(ctx).map((d) => {
        const raw = at(d.data, 'metadata', 'name');
        const name = tryResolve(raw, d.pre, ctx) ?? actionOf(String(raw), d.pre);
        return `${kindOf(d)} ${String(name).replace('rel-facerec-', '')}`;
      });
    };
    const sets = Object.fromEntries(valueSets().map((s) => [s.name, kinds(s.values)]));
    // Defaults: six Deployments, the three headless Services and the gateway's, PDBs for all but the matcher, no HPA, no KEDA, no Ingress,
    // and of Secrets only the gateway's generated one (API key, webhook secret).
    expect(sets['values.yaml']!.filter((k) => k.startsWith('Deployment')).length).toBe(6);
    expect(sets['values.yaml']!.filter((k) => k.startsWith('PodDisruptionBudget')).sort()).toEqual(
      ['aggregator', 'decoder', 'detector', 'embedder', 'gateway'].map((s) => `PodDisruptionBudget ${s}`),
    );
    expect(sets['values.yaml']!.filter((k) => k.startsWith('Secret'))).toEqual(['Secret auth']);
    for (const kind of ['HorizontalPodAutoscaler', 'ScaledObject', 'Ingress']) {
      expect(sets['values.yaml']!.filter((k) => k.startsWith(kind)), kind).toEqual([]);
    }
    expect(sets['values.yaml']).toContain('PersistentVolumeClaim matcher-data');
    // CPU example: HPAs for decoder, detector, embedder; an Ingress.
    expect(sets['examples/values-cpu.yaml']!.filter((k) => k.startsWith('HorizontalPodAutoscaler')).sort()).toEqual(
      ['decoder', 'detector', 'embedder'].map((s) => `HorizontalPodAutoscaler ${s}`),
    );
    expect(sets['examples/values-cpu.yaml']).toContain('Ingress gateway');
    // GPU example: KEDA for the four workers and no HPA of the chart's own; the Qdrant key in a Secret.
    expect(sets['examples/values-gpu.yaml']!.filter((k) => k.startsWith('ScaledObject')).sort()).toEqual(
      ['aggregator', 'decoder', 'detector', 'embedder'].map((s) => `ScaledObject ${s}`),
    );
    expect(sets['examples/values-gpu.yaml']!.filter((k) => k.startsWith('HorizontalPodAutoscaler'))).toEqual([]);
    expect(sets['examples/values-gpu.yaml']).toContain('Secret include "facerec.secretName" .');
  });

  it('leave replicas to the autoscaler where one owns the Deployment', () => {
    for (const { name, values } of valueSets()) {
      const ctx = evalContext(values);
      for (const service of SERVICE_NAMES) {
        const scaled = lookup(values, [service, 'autoscaling', 'enabled']) === true || lookup(values, [service, 'keda', 'enabled']) === true;
        const replicas = at(deploymentOf(service, ctx).data, 'spec', 'replicas');
        if (scaled) expect(replicas, `${name} ${service}`).toBeUndefined();
        else expect(resolve(replicas, deploymentOf(service, ctx).pre, ctx), `${name} ${service}`).toBe(lookup(values, [service, 'replicas']));
      }
    }
  });
});

describe('values.schema.json', () => {
  const validate = ajv();
  const withValue = (path: string, value: unknown): Values => {
    const over: Values = {};
    let node = over;
    const keys = path.split('.');
    keys.slice(0, -1).forEach((k) => (node = (node[k] = {}) as Values));
    node[keys[keys.length - 1]!] = value;
    return mergeValues(defaultValues(), over) as Values;
  };

  it('compiles under ajv strict mode and is draft-07', () => {
    expect(JSON.parse(read(join(CHART_DIR, 'values.schema.json'))).$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts values.yaml and each example merged over it', () => {
    for (const { name, values } of valueSets()) {
      const ok = validate(values);
      expect(ok, `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  const wrong: [string, string, unknown][] = [
    ['a string replica count', 'detector.replicas', '3'],
    ['a negative replica count', 'gateway.replicas', -1],
    ['a negative port', 'healthPort', -1],
    ['a port out of range', 'gateway.port', 70000],
    ['a gRPC port as text', 'embedder.grpcPort', 'fifty'],
    ['a GPU count as text', 'detector.gpuCount', 'one'],
    ['a fractional GPU count', 'embedder.gpuCount', 0.5],
    ['two matchers (galleries live in one SQLite file)', 'matcher.replicas', 2],
    ['an unknown environment variable', 'config', { FACEREC_NO_SUCH_THING: '1' }],
    ['a variable the chart sets itself', 'config', { NATS_URL: 'nats://elsewhere:4222' }],
    ['a per-service variable the chart sets itself', 'detector.env', { FACEREC_EXECUTION_PROVIDERS: 'cpu' }],
    ['an unknown key in a service', 'decoder.replicaCount', 3],
    ['an unknown execution provider', 'gpu.executionProviders', 'tensorrt'],
    ['a bad NATS prefix', 'natsPrefix', 'face rec'],
    ['a memory request that is no quantity', 'matcher.resources', { requests: { memory: 'lots' }, limits: {} }],
    ['a log level pino does not know', 'logLevel', 'verbose'],
    ['a KEDA lag threshold as text', 'decoder.keda.lagThreshold', 'four'],
    ['a non-numeric Prometheus threshold', 'embedder.keda.threshold', 'many'],
    ['a pull policy Kubernetes does not know', 'image.pullPolicy', 'Sometimes'],
    ['a Secret name Kubernetes refuses', 'auth.existingSecret', 'My Keys'],
    ['anonymous access as text', 'auth.allowAnonymous', 'yes'],
    ['the API key in plain config (it comes from a Secret)', 'config', { FACEREC_API_KEY: 'k' }],
    ['anonymous access through env instead of auth.allowAnonymous', 'gateway.env', { FACEREC_ALLOW_ANONYMOUS: 'true' }],
    ['the webhook secret in plain env', 'gateway.env', { FACEREC_WEBHOOK_SECRET: 's' }],
    ['a webhook generateSecret as text', 'webhooks.generateSecret', 'no'],
  ];
  for (const [what, path, value] of wrong) {
    it(`rejects ${what} (${path})`, () => {
      expect(validate(withValue(path, value))).toBe(false);
    });
  }

  it('rejects an unknown top-level key and a missing required one', () => {
    expect(validate({ ...defaultValues(), replicaCount: 2 })).toBe(false);
    const { healthPort: _dropped, ...missing } = defaultValues();
    expect(validate(missing)).toBe(false);
  });

  it('types every value of values.yaml (free-form only where Kubernetes or a dependency chart owns the shape)', () => {
    const schema = JSON.parse(read(join(CHART_DIR, 'values.schema.json'))) as Record<string, unknown>;
    const definitions = schema.definitions as Record<string, Record<string, unknown>>;
    const deref = (node: Record<string, unknown>): Record<string, unknown> =>
      typeof node.$ref === 'string' ? deref(definitions[node.$ref.replace('#/definitions/', '')]!) : node;
    const FREE_FORM = ['podSecurityContext', 'securityContext', 'nats', 'qdrant', 'affinity', 'global'];
    for (const path of leafPaths(defaultValues())) {
      let node = deref(schema);
      let free = false;
      for (const key of path) {
        const props = node.properties as Record<string, Record<string, unknown>> | undefined;
        if (props?.[key]) node = deref(props[key]);
        else if (isMap(node.additionalProperties)) node = deref(node.additionalProperties);
        else {
          free = true;
          break;
        }
      }
      if (free) {
        expect(FREE_FORM.some((f) => path.includes(f)), `${path.join('.')} is not described by the schema`).toBe(true);
        continue;
      }
      expect(node.type ?? node.enum ?? node.anyOf, `${path.join('.')} has a type in the schema`).toBeDefined();
    }
  });
});

describe('.Values paths', () => {
  const files = templateFiles();
  const read_ = (f: string) => readFileSync(join(TEMPLATES_DIR, f), 'utf8');

  it('every .Values path a template, helper or NOTES.txt reads exists in values.yaml', () => {
    const values = defaultValues();
    const missing: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const path of valuesPaths(read_(file))) {
        count++;
        if (lookup(values, path) === undefined) missing.push(`${file}: .Values.${path.join('.')}`);
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('every value of values.yaml is read by a template (no value that does nothing), dependency sections aside', () => {
    const read = files.flatMap((f) => valuesPaths(read_(f)).map((p) => p.join('.')));
    const unused = leafPaths(defaultValues())
      .map((p) => p.join('.'))
      .filter((p) => !/^(nats|qdrant)\./.test(p) || /^(nats|qdrant)\.(enabled|fullnameOverride)$/.test(p))
      .filter((p) => !read.some((r) => p === r || p.startsWith(`${r}.`) || r.startsWith(`${p}.`)));
    expect(unused).toEqual([]);
  });
});

describe('Deployments', () => {
  const values = defaultValues();

  it('one Deployment per service of SERVICE_NAMES, its container named after it and started with it as argument', () => {
    const deployments = docsOfKind('Deployment');
    expect(deployments).toHaveLength(SERVICE_NAMES.length);
    for (const service of SERVICE_NAMES) {
      const { container } = containerOf(service);
      expect(container.args, service).toEqual([service]);
      expect(deploymentOf(service).file).toBe(`${service}-deployment.yaml`);
    }
  });

  it('every container reads the shared ConfigMap and then the Secret', () => {
    const configMapName = at(docsOfKind('ConfigMap')[0]!.data, 'metadata', 'name');
    const cmAction = actionOf(String(configMapName), docsOfKind('ConfigMap')[0]!.pre);
    for (const service of SERVICE_NAMES) {
      const { doc, container } = containerOf(service);
      const [cm, secret] = container.envFrom ?? [];
      expect(actionOf(String(cm?.configMapRef?.name), doc.pre)).toBe(cmAction);
      expect(actionOf(String(secret?.secretRef?.name), doc.pre)).toBe('include "facerec.secretName" .');
    }
  });

  it('liveness probes /healthz, readiness /readyz, startup /healthz', () => {
    for (const service of SERVICE_NAMES) {
      const { container } = containerOf(service);
      expect(container.livenessProbe?.httpGet?.path, service).toBe('/healthz');
      expect(container.readinessProbe?.httpGet?.path, service).toBe('/readyz');
      expect(container.startupProbe?.httpGet?.path, service).toBe('/healthz');
    }
  });

  it('probes target the port the service listens on, as loadConfig reads the env the chart sets (every value set)', () => {
    for (const { name, values: vs } of valueSets()) {
      for (const service of SERVICE_NAMES) {
        const { container } = containerOf(service, evalContext(vs));
        const config = loadConfig(environment(service, vs));
        // The gateway answers the probes on its REST port; every other service on HEALTH_PORT (0 would turn it off).
        const listening = service === 'gateway' ? config.gateway.port : config.healthPort;
        expect(listening, `${name} ${service}`).toBeGreaterThan(0);
        for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
          expect(portNamed(service, probe?.httpGet?.port, vs), `${name} ${service} probe port`).toBe(listening);
        }
      }
    }
  });

  it("the chart's default ports are the code's defaults (loadConfig({}))", () => {
    const defaults = loadConfig({});
    expect(values.healthPort).toBe(defaults.healthPort);
    expect(lookup(values, ['gateway', 'port'])).toBe(defaults.gateway.port);
    for (const service of GRPC_SERVICES) {
      expect(`0.0.0.0:${String(lookup(values, [service, 'grpcPort']))}`).toBe(defaults.listen[service]);
    }
  });

  it('the env each service gets is accepted by the config parser and the session options', () => {
    for (const { name, values: vs } of valueSets()) {
      for (const service of SERVICE_NAMES) {
        const env = environment(service, vs);
        expect(() => loadConfig(env), `${name} ${service}`).not.toThrow();
        expect(() => sessionConfigFromEnv(env), `${name} ${service}`).not.toThrow();
        expect(loadConfig(env).dataDir, `${name} ${service}`).toBe('/data');
      }
    }
  });

  it('every env var name the chart sets is one the config parser knows, and every one it knows is set by the chart or settable through values', () => {
    const known = new Set(CONFIG_VARIABLES);
    const set = new Set<string>();
    const [configMap] = docsOfKind('ConfigMap');
    for (const key of Object.keys(at(configMap!.data, 'data') as Values)) if (!isPlaceholder(key)) set.add(key);
    for (const secret of docsOfKind('Secret')) for (const key of Object.keys((at(secret.data, 'stringData') as Values) ?? {})) set.add(key);
    for (const mode of ['then', 'else'] as const) {
      for (const service of SERVICE_NAMES) {
        for (const entry of containerOf(service, mode).container.env ?? []) if (!isPlaceholder(entry.name)) set.add(entry.name);
      }
    }
    expect([...set].filter((n) => !known.has(n))).toEqual([]);

    // The names values may add (config, <service>.env) are the schema's list: known, and disjoint from the chart's own.
    const schema = JSON.parse(read(join(CHART_DIR, 'values.schema.json'))) as { definitions: { userEnv: { propertyNames: { enum: string[] } } } };
    const settable = schema.definitions.userEnv.propertyNames.enum;
    expect(settable.filter((n) => !known.has(n))).toEqual([]);
    expect(settable.filter((n) => set.has(n))).toEqual([]);
    expect(CONFIG_VARIABLES.filter((n) => !set.has(n) && !settable.includes(n))).toEqual([]);

    // And the names the shipped values files use.
    for (const { name, values: vs } of valueSets()) {
      const used = [...Object.keys((vs.config as Values) ?? {}), ...SERVICE_NAMES.flatMap((s) => Object.keys((lookup(vs, [s, 'env']) as Values) ?? {}))];
      expect(used.filter((n) => !known.has(n)), name).toEqual([]);
    }
  });

  it('NATS_URL and QDRANT_URL come from the helpers that pick the bundled chart or the external URL', () => {
    const [configMap] = docsOfKind('ConfigMap');
    const data = at(configMap!.data, 'data') as Values;
    expect(actionOf(String(data.NATS_URL), configMap!.pre)).toBe('include "facerec.natsUrl" . | quote');
    const helpers = read(join(TEMPLATES_DIR, '_helpers.tpl'));
    const define = (name: string) => helpers.slice(helpers.indexOf(`{{- define "${name}" -}}`), helpers.indexOf('{{- end }}\n\n', helpers.indexOf(`{{- define "${name}" -}}`)));
    expect(define('facerec.natsUrl')).toContain('nats://%s.%s.svc:4222');
    expect(define('facerec.natsUrl')).toContain('.Values.externalNats.url');
    expect(define('facerec.qdrantUrl')).toContain('http://%s.%s.svc:6333');
    expect(define('facerec.qdrantUrl')).toContain('.Values.externalQdrant.url');
    // The Secret's NATS_URL (credentials) comes after the ConfigMap in envFrom, so it wins.
    const secret = docsOfKind('Secret').find((d) => d.file === 'secret.yaml')!;
    expect(Object.keys((at(secret.data, 'stringData') as Values) ?? {}).sort()).toEqual(['DATABASE_URL', 'NATS_URL', 'QDRANT_API_KEY']);
  });

  it('the ranges that add env entries read .Values.config and .Values.<service>.env', () => {
    expect(read(join(TEMPLATES_DIR, 'configmap.yaml'))).toContain('range $name, $value := .Values.config }}');
    for (const service of SERVICE_NAMES) {
      expect(read(join(TEMPLATES_DIR, `${service}-deployment.yaml`)), service).toContain(`range $name, $value := .Values.${service}.env }}`);
    }
  });

  it('terminationGracePeriodSeconds exceeds preStop sleep + FACEREC_SHUTDOWN_GRACE_S + 5 s (the service exits by itself first)', () => {
    for (const { name, values: vs } of valueSets()) {
      const ctx = evalContext(vs);
      for (const service of SERVICE_NAMES) {
        const { doc, container } = containerOf(service, ctx);
        const grace = loadConfig(environment(service, vs)).shutdownGraceMs / 1000;
        const termination = Number(resolve(at(doc.data, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds'), doc.pre, ctx));
        const command = container.lifecycle?.preStop?.exec?.command ?? [];
        expect(command[0], `${service} preStop`).toBe('sleep');
        const preStop = Number(resolve(command[1], doc.pre, ctx));
        expect(termination, `${name} ${service}`).toBeGreaterThan(grace);
        expect(termination, `${name} ${service}`).toBeGreaterThan(preStop + grace + 5);
      }
    }
  });

  it('GPU requests only on the detector and embedder, in their limits, when gpu.enabled', () => {
    for (const service of SERVICE_NAMES) {
      const text = read(join(TEMPLATES_DIR, `${service}-deployment.yaml`));
      const isGpu = (GPU_SERVICES as readonly string[]).includes(service);
      expect(/\.Values\.gpu\b/.test(text), `${service} reads .Values.gpu`).toBe(isGpu);
      expect(text.includes('nvidia.com'), service).toBe(false);
      const { doc, container } = containerOf(service);
      expect(actionOf(String(container.image), doc.pre)).toBe(`include "facerec.image" (dict "root" . "gpu" ${isGpu}) | quote`);
    }
    for (const { name, values } of valueSets()) {
      const ctx = evalContext(values);
      const gpuOn = lookup(values, ['gpu', 'enabled']) === true;
      for (const service of SERVICE_NAMES) {
        const { doc, container } = containerOf(service, ctx);
        const limits = (container.resources?.limits ?? {}) as Values;
        const gpu = Object.entries(limits)
          .map(([k, v]) => [isPlaceholder(k) ? tryResolve(k, doc.pre, ctx) : k, v] as const)
          .filter(([k]) => typeof k === 'string' && k.includes('gpu'));
        const isGpu = (GPU_SERVICES as readonly string[]).includes(service);
        expect(gpu.length, `${name} ${service}`).toBe(isGpu && gpuOn ? 1 : 0);
        if (gpu.length) {
          expect(gpu[0]![0]).toBe(lookup(values, ['gpu', 'resourceName']));
          expect(resolve(gpu[0]![1], doc.pre, ctx), `${name} ${service} GPU count`).toBe(lookup(values, [service, 'gpuCount']));
        }
        // No values file asks for a GPU in a non-GPU service's resources.
        if (!isGpu) expect(JSON.stringify(lookup(values, [service, 'resources'])), `${name} ${service}`).not.toMatch(/gpu/i);
      }
    }
  });

  it('with gpu.enabled the GPU services run CUDA first; without, CPU only', () => {
    const gpuValues = valueSets().find((v) => v.name.endsWith('values-gpu.yaml'))!.values;
    for (const service of GPU_SERVICES) {
      expect(sessionConfigFromEnv(environment(service, gpuValues)).providers, service).toEqual(['cuda', 'cpu']);
      expect(sessionConfigFromEnv(environment(service, defaultValues())).providers, service).toEqual(['cpu']);
    }
  });

  it('the matcher runs as one replica at most, replaced with Recreate, its data dir on the PVC', () => {
    for (const { name, values: vs } of valueSets()) expect(Number(lookup(vs, ['matcher', 'replicas'])), name).toBeLessThanOrEqual(1);
    const doc = deploymentOf('matcher', evalContext(values));
    expect(at(doc.data, 'spec', 'strategy', 'type')).toBe('Recreate');
    expect(docsOfKind('PersistentVolumeClaim', evalContext(values))).toHaveLength(1);
    const volumes = at(doc.data, 'spec', 'template', 'spec', 'volumes') as { name: string; persistentVolumeClaim?: { claimName: string } }[];
    const data = volumes.find((v) => v.name === 'data');
    expect(actionOf(String(data?.persistentVolumeClaim?.claimName), doc.pre)).toContain('.Values.matcher.persistence.existingClaim');
    const [pvc] = docsOfKind('PersistentVolumeClaim');
    expect(resolve(at(pvc!.data, 'metadata', 'name'), pvc!.pre, evalContext(values))).toBe('rel-facerec-matcher-data');
    expect(at(pvc!.data, 'metadata', 'annotations', 'helm.sh/resource-policy')).toBe('keep');
    const mounts = (containerOf('matcher').container as { volumeMounts?: { name: string; mountPath: string }[] }).volumeMounts ?? [];
    expect(mounts.find((m) => m.name === 'data')?.mountPath).toBe(loadConfig(environment('matcher', values)).dataDir);
  });

  it('with secrets.databaseUrl (galleries in PostgreSQL) the matcher scales out: any replica count, rolled one at a time, its vector index in an emptyDir, no PVC', () => {
    const shared = mergeValues(defaultValues(), { secrets: { databaseUrl: 'postgres://facerec:pw@db:5432/facerec' }, matcher: { replicas: 3 } }) as Values;
    expect(ajv()(shared)).toBe(true);
    expect(ajv()(mergeValues(defaultValues(), { matcher: { replicas: 3 } }))).toBe(false);
    const ctx = evalContext(shared);
    const doc = deploymentOf('matcher', ctx);
    expect(at(doc.data, 'spec', 'strategy', 'type')).toBe('RollingUpdate');
    const volumes = at(doc.data, 'spec', 'template', 'spec', 'volumes') as { name: string; emptyDir?: object; persistentVolumeClaim?: object }[];
    expect(volumes.find((v) => v.name === 'data')).toEqual({ name: 'data', emptyDir: {} });
    expect(docsOfKind('PersistentVolumeClaim', ctx)).toEqual([]);
    const secret = docsOfKind('Secret', ctx).find((d) => d.file === 'secret.yaml')!;
    expect(Object.keys(at(secret.data, 'stringData') as Values)).toContain('DATABASE_URL');
  });

  it('with DATABASE_URL in a Secret the user manages (secrets.existingSecretHasDatabaseUrl) the matcher scales out too; the flag without that Secret is refused', () => {
    const external = mergeValues(defaultValues(), { secrets: { existingSecret: 'db-creds', existingSecretHasDatabaseUrl: true }, matcher: { replicas: 2 } }) as Values;
    expect(ajv()(external)).toBe(true);
    expect(ajv()(mergeValues(defaultValues(), { secrets: { existingSecretHasDatabaseUrl: true }, matcher: { replicas: 2 } }))).toBe(false);
    expect(ajv()(mergeValues(defaultValues(), { secrets: { existingSecret: 'db-creds' }, matcher: { replicas: 2 } }))).toBe(false);
    const ctx = evalContext(external);
    const doc = deploymentOf('matcher', ctx);
    expect(at(doc.data, 'spec', 'strategy', 'type')).toBe('RollingUpdate');
    const volumes = at(doc.data, 'spec', 'template', 'spec', 'volumes') as { name: string; emptyDir?: object }[];
    expect(volumes.find((v) => v.name === 'data')).toEqual({ name: 'data', emptyDir: {} });
    expect(docsOfKind('PersistentVolumeClaim', ctx)).toEqual([]);
    expect(docsOfKind('Secret', ctx).find((d) => d.file === 'secret.yaml')).toBeUndefined();
  });

});

describe('gateway credentials', () => {
  const over = (extra: Values): Values => mergeValues(defaultValues(), extra) as Values;
  const variants: { name: string; values: Values }[] = [
    ...valueSets(),
    { name: 'auth.existingSecret', values: over({ auth: { existingSecret: 'my-keys', existingSecretKey: 'admin' } }) },
    { name: 'auth.allowAnonymous', values: over({ auth: { allowAnonymous: true } }) },
    { name: 'both existing', values: over({ auth: { existingSecret: 'my-keys' }, webhooks: { existingSecret: 'hooks', existingSecretKey: 'sig' } }) },
    { name: 'no webhook secret', values: over({ webhooks: { generateSecret: false } }) },
  ];
  const variant = (name: string): Values => variants.find((v) => v.name === name)!.values;
  /** The generated Secret under some values: its resolved name and data keys, or null when not rendered. */
  const authSecret = (values: Values): { name: unknown; keys: string[] } | null => {
    const ctx = evalContext(values);
    const doc = docsOfKind('Secret', ctx).find((d) => d.file === 'auth-secret.yaml');
    if (!doc) return null;
    return { name: resolve(at(doc.data, 'metadata', 'name'), doc.pre, ctx), keys: Object.keys((at(doc.data, 'data') as Values) ?? {}).sort() };
  };

  it('the gateway listens on HOST (0.0.0.0), not loopback, under every value set: a key, or anonymous access asked for', () => {
    for (const { name, values } of variants) {
      const config = loadConfig(environment('gateway', values));
      expect(config.gateway.host, name).toBe('0.0.0.0');
      expect(listenHost(config.gateway.host, config.auth), name).toBe('0.0.0.0');
      expect(Boolean(config.auth.apiKey) !== config.auth.allowAnonymous, `${name}: a key, or anonymous, never both`).toBe(true);
    }
  });

  it('by default the admin key and the webhook secret come from the Secret the chart generates', () => {
    const env = environment('gateway', defaultValues());
    expect(env.FACEREC_API_KEY).toBe('rel-facerec-auth/api-key');
    expect(env.FACEREC_WEBHOOK_SECRET).toBe('rel-facerec-auth/webhook-secret');
    expect(env.FACEREC_ALLOW_ANONYMOUS).toBeUndefined();
    expect(authSecret(defaultValues())).toEqual({ name: 'rel-facerec-auth', keys: ['api-key', 'webhook-secret'] });
    // Each value from the helper that keeps what the release's Secret holds, else makes a random one.
    const doc = docsOfKind('Secret', evalContext(defaultValues())).find((d) => d.file === 'auth-secret.yaml')!;
    for (const key of ['api-key', 'webhook-secret']) {
      expect(actionOf(String(at(doc.data, 'data', key)), doc.pre)).toBe(`include "facerec.generatedSecret" (dict "root" . "key" "${key}") | quote`);
    }
    const helpers = read(join(TEMPLATES_DIR, '_helpers.tpl'));
    const define = helpers.slice(helpers.indexOf('{{- define "facerec.generatedSecret" -}}'));
    expect(define).toContain('lookup "v1" "Secret" .root.Release.Namespace (printf "%s-auth" (include "facerec.fullname" .root))');
    expect(define).toContain('randAlphaNum 48 | b64enc');
  });

  it('an existing Secret replaces the generated values; with both existing the chart generates none', () => {
    const env = environment('gateway', variant('auth.existingSecret'));
    expect(env.FACEREC_API_KEY).toBe('my-keys/admin');
    expect(authSecret(variant('auth.existingSecret'))).toEqual({ name: 'rel-facerec-auth', keys: ['webhook-secret'] });
    const both = environment('gateway', variant('both existing'));
    expect([both.FACEREC_API_KEY, both.FACEREC_WEBHOOK_SECRET]).toEqual(['my-keys/api-key', 'hooks/sig']);
    expect(authSecret(variant('both existing'))).toBeNull();
  });

  it('anonymous access only when asked for: FACEREC_ALLOW_ANONYMOUS=true and no key; no webhook secret when none is wanted', () => {
    const env = environment('gateway', variant('auth.allowAnonymous'));
    expect(env.FACEREC_ALLOW_ANONYMOUS).toBe('true');
    expect(env.FACEREC_API_KEY).toBeUndefined();
    expect(authSecret(variant('auth.allowAnonymous'))!.keys).toEqual(['webhook-secret']);
    expect(environment('gateway', variant('no webhook secret')).FACEREC_WEBHOOK_SECRET).toBeUndefined();
    for (const { name, values } of valueSets()) expect(lookup(values, ['auth', 'allowAnonymous']), name).toBe(false);
    // The two exclude each other (anonymous means no key): the chart refuses to render both.
    expect(read(join(TEMPLATES_DIR, '_helpers.tpl'))).toContain('{{- if and .Values.auth.allowAnonymous .Values.auth.existingSecret }}');
  });

  it('only the gateway gets the credentials', () => {
    for (const service of SERVICE_NAMES.filter((s) => s !== 'gateway')) {
      for (const mode of ['then', 'else'] as const) {
        const names = (containerOf(service, mode).container.env ?? []).map((e) => e.name);
        expect(names.filter((n) => ['FACEREC_API_KEY', 'FACEREC_ALLOW_ANONYMOUS', 'FACEREC_WEBHOOK_SECRET'].includes(n)), service).toEqual([]);
      }
    }
  });
});

describe('Services', () => {
  it('detector, embedder and matcher have headless Services on their *_LISTEN port, and *_ADDR names them', () => {
    for (const { name, values } of valueSets()) {
      const ctx: EvalContext = evalContext(values);
      for (const service of GRPC_SERVICES) {
        const docs = docsOfKind('Service', ctx).filter((d) => d.file === `${service}-service.yaml`);
        expect(docs, service).toHaveLength(1);
        const svc = docs[0]!;
        expect(at(svc.data, 'spec', 'clusterIP'), service).toBe('None');
        const ports = at(svc.data, 'spec', 'ports') as { name: string; port: unknown; targetPort: string }[];
        expect(ports, service).toHaveLength(1);
        const port = Number(resolve(ports[0]!.port, svc.pre, ctx));
        const config = loadConfig(environment(service, values));
        expect(config.listen[service], `${name} ${service} listen`).toBe(`0.0.0.0:${port}`);
        expect(portNamed(service, ports[0]!.targetPort, values), `${name} ${service} targetPort`).toBe(port);
        // Clients (in every service) find it at <service name>:<port>: DNS gives one address per pod.
        const serviceName = String(resolve(at(svc.data, 'metadata', 'name'), svc.pre, ctx));
        for (const client of SERVICE_NAMES) expect(loadConfig(environment(client, values)).addresses[service], `${name} ${client}→${service}`).toBe(`${serviceName}:${port}`);
        // The Service selects the Deployment's pods: the same selector labels.
        const selector = at(svc.data, 'spec', 'selector') as Values;
        const deployment = deploymentOf(service, ctx);
        const matchLabels = at(deployment.data, 'spec', 'selector', 'matchLabels') as Values;
        expect(actionOf(Object.keys(selector)[0]!, svc.pre).replace(/\| nindent \d+$/, '')).toBe(actionOf(Object.keys(matchLabels)[0]!, deployment.pre).replace(/\| nindent \d+$/, ''));
      }
    }
  });

  it('the gateway has a normal Service on its http port, and the Ingress points at it', () => {
    const svc = docsOfKind('Service').find((d) => d.file === 'gateway-service.yaml')!;
    expect(at(svc.data, 'spec', 'clusterIP')).toBeUndefined();
    const ports = at(svc.data, 'spec', 'ports') as { targetPort: string }[];
    expect(ports[0]!.targetPort).toBe('http');
    expect(portNamed('gateway', 'http', defaultValues())).toBe(loadConfig(environment('gateway', defaultValues())).gateway.port);
    const [ingress] = docsOfKind('Ingress');
    const backend = at(ingress!.data, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service') as { name: string; port: { name: string } };
    expect(resolve(backend.name, ingress!.pre, evalContext(defaultValues()))).toBe(resolve(at(svc.data, 'metadata', 'name'), svc.pre, evalContext(defaultValues())));
    expect(backend.port.name).toBe('http');
  });
});

describe('disruption budgets and autoscaling', () => {
  it('a PodDisruptionBudget per service', () => {
    const pdbs = docsOfKind('PodDisruptionBudget');
    expect(pdbs).toHaveLength(SERVICE_NAMES.length);
    const names = pdbs.map((d) => resolve(at(d.data, 'metadata', 'name'), d.pre, evalContext(defaultValues())));
    expect(names.sort()).toEqual(SERVICE_NAMES.map((s) => `rel-facerec-${s}`).sort());
  });

  it('KEDA scales decoders and aggregators on the lag of the streams and consumers the NATS bus creates', () => {
    const bus = read(join(REPO_ROOT, 'libs/bus/nats-bus.ts'));
    // The names NatsBus gives a queue's stream and its shared durable consumer.
    expect(bus).toContain('return `${this.settings.prefix}_queue_${queue}`;');
    expect(bus).toContain('return `${this.settings.prefix}_${queue}`;');
    for (const { name, values } of valueSets()) {
      const ctx = evalContext(values);
      for (const [service, queue] of Object.entries(WORKERS_ON_QUEUES)) {
        expect(QUEUE_NAMES).toContain(queue);
        expect(read(join(REPO_ROOT, `services/${service}/service.ts`))).toContain(`queue: '${queue}'`);
        const doc = docsOfKind('ScaledObject').find((d) => String(resolve(at(d.data, 'metadata', 'name'), d.pre, ctx)).endsWith(`-${service}`))!;
        expect(resolve(at(doc.data, 'spec', 'scaleTargetRef', 'name'), doc.pre, ctx)).toBe(`rel-facerec-${service}`);
        const trigger = at(doc.data, 'spec', 'triggers', 0) as { type: string; metadata: Values };
        expect(trigger.type).toBe('nats-jetstream');
        const prefix = loadConfig(environment(service, values)).natsPrefix;
        expect(resolve(trigger.metadata.stream, doc.pre, ctx), name).toBe(`${prefix}_queue_${queue}`);
        expect(resolve(trigger.metadata.consumer, doc.pre, ctx), name).toBe(`${prefix}_${queue}`);
      }
    }
  });

  it('KEDA scales detectors and embedders on the load metrics they export, with a CPU trigger beside', () => {
    const text = read(join(TEMPLATES_DIR, 'keda-scaledobjects.yaml'));
    const expected = { detector: metrics.detectorInFlight, embedder: metrics.embedderQueued } as const;
    for (const service of GPU_SERVICES) {
      const doc = docsOfKind('ScaledObject').find((d) => String(resolve(at(d.data, 'metadata', 'name'), d.pre, evalContext(defaultValues()))).endsWith(`-${service}`))!;
      const triggers = at(doc.data, 'spec', 'triggers') as { type: string; metadata: Values }[];
      expect(triggers.map((t) => t.type)).toEqual(['prometheus', 'cpu']);
      const metricName = (expected[service] as unknown as { name: string }).name;
      expect(actionOf(String(triggers[0]!.metadata.query), doc.pre)).toContain(metricName);
      expect(text).toContain(`.Values.${service}.keda.query`);
    }
  });

  it('HPAs target CPU utilisation of their own Deployment', () => {
    for (const doc of docsOfKind('HorizontalPodAutoscaler')) {
      const ctx = evalContext(defaultValues());
      expect(resolve(at(doc.data, 'spec', 'scaleTargetRef', 'name'), doc.pre, ctx)).toBe(resolve(at(doc.data, 'metadata', 'name'), doc.pre, ctx));
      expect(at(doc.data, 'spec', 'metrics', 0, 'resource', 'name')).toBe('cpu');
    }
  });
});

describe('examples', () => {
  let sets: ReturnType<typeof valueSets>;
  beforeAll(() => {
    sets = valueSets();
  });

  it('the GPU example turns GPUs on and schedules the GPU services on GPU nodes; the CPU example does not', () => {
    const gpu = sets.find((s) => s.name.endsWith('values-gpu.yaml'))!.values;
    const cpu = sets.find((s) => s.name.endsWith('values-cpu.yaml'))!.values;
    expect(lookup(gpu, ['gpu', 'enabled'])).toBe(true);
    expect(lookup(cpu, ['gpu', 'enabled'])).toBe(false);
    for (const service of GPU_SERVICES) {
      expect(Object.keys((lookup(gpu, [service, 'nodeSelector']) as Values) ?? {}), service).not.toEqual([]);
      expect(lookup(gpu, [service, 'tolerations']), service).not.toEqual([]);
    }
  });

  it('the examples run against a NATS with JetStream', () => {
    for (const { name, values } of sets) {
      const bundled = lookup(values, ['nats', 'enabled']) === true;
      if (bundled) expect(lookup(values, ['nats', 'config', 'jetstream', 'enabled']), name).toBe(true);
      else expect(String(lookup(values, ['externalNats', 'url'])), name).toMatch(/^nats:\/\//);
    }
  });

  it('documented in deploy/README.md', () => {
    const readme = read(join(REPO_ROOT, 'deploy/README.md'));
    for (const file of exampleFiles()) expect(readme).toContain(`examples/${file.split('/').pop()!}`);
    expect(parseYaml(read(join(CHART_DIR, 'values.yaml')))).toBeTruthy();
  });
});
