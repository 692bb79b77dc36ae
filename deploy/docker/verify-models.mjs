// Preloaded by the image's entry point (`node --import ./deploy/docker/verify-models.mjs --import tsx
// services/main.ts <service>`): before a service that runs a network starts, every ONNX file it
// needs must be in FACEREC_MODELS_DIR (default models/onnx) with the SHA-256 that
// models/catalog.json pins. `npm ci` (postinstall) converted and checked them when the image was
// built; this catches a broken or tampered image, or a FACEREC_MODELS_DIR pointing at the wrong
// files, and stops the container with the reason instead of serving a different network.
// Plain JavaScript on purpose: it runs before tsx is loaded.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');
/**
 * Catalog models each service loads (libs/engine/choice.ts): the detector service runs
 * FACEREC_DETECTOR (YuNet by default; BlazeFace comes with FaceMesh), the embedder service
 * FACEREC_EMBEDDER (faceplugin-fr512 by default).
 */
function modelsByService(env) {
  const detector = env.FACEREC_DETECTOR || 'yunet';
  return {
    detector: detector === 'blazeface' ? ['blazeface', 'facemesh'] : [detector],
    embedder: [env.FACEREC_EMBEDDER || 'faceplugin-fr512'],
  };
}

function modelsNeeded(args) {
  const byService = modelsByService(process.env);
  const names = args.includes('all') ? Object.keys(byService) : args;
  return new Set(names.flatMap((name) => byService[name] ?? []));
}

function verify(args) {
  const needed = modelsNeeded(args);
  if (needed.size === 0) return [];
  const catalog = JSON.parse(readFileSync(join(MODELS_DIR, 'catalog.json'), 'utf8'));
  const onnxDir = process.env.FACEREC_MODELS_DIR?.trim() || join(MODELS_DIR, 'onnx');
  const problems = [];
  for (const id of needed) {
    const entry = catalog.models[id];
    if (!entry) {
      problems.push(`${id}: not in models/catalog.json`);
      continue;
    }
    const file = join(onnxDir, entry.onnx.file);
    if (!existsSync(file)) {
      problems.push(`${id}: ${file} is missing`);
      continue;
    }
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    if (digest !== entry.onnx.sha256) problems.push(`${id}: ${file} has SHA-256 ${digest}, models/catalog.json pins ${entry.onnx.sha256}`);
  }
  return problems;
}

// process.argv here is [node, services/main.ts, ...service names].
const problems = verify(process.argv.slice(2));
if (problems.length > 0) {
  // One JSON line on stderr, like the services' own logs (pino, level 60 = fatal).
  console.error(JSON.stringify({ level: 60, time: Date.now(), msg: 'model check failed: the image does not hold the networks models/catalog.json pins', problems }));
  process.exit(1);
}
