// `facerec eval identify --gallery <dir of person folders> [--probes <dir>]`
// Rank-1 identification, leave-one-out over the gallery: each sample is matched against all the
// others (its own identity keeps its remaining samples). With --probes, each probe image's faces
// are named against the whole gallery.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { euclidean } from '../../libs/engine/distance.js';
import { FaceEngine, largestFace } from '../../libs/engine/engine.js';
import { decodeImage } from '../../libs/image/image.js';
import { DEFAULT_MAX_DISTANCE } from './detect.js';
import { parseIntOption, UsageError } from './args.js';

const IMAGE = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i;

interface Sample {
  person: string;
  file: string;
  embedding: Float32Array;
}

export async function identifyCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { gallery: { type: 'string' }, probes: { type: 'string' }, scale: { type: 'string', default: '600' } } });
  if (!values.gallery) throw new UsageError('eval identify needs --gallery');
  const scale = parseIntOption('scale', values.scale);
  const engine = await FaceEngine.load();
  const toContract = contractDistanceFor(catalogEntry(engine.embedder.model).calibration);
  const samples: Sample[] = [];
  const missing: string[] = [];
  for (const person of readdirSync(values.gallery).sort()) {
    const dir = join(values.gallery, person);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).filter((f) => IMAGE.test(f)).sort()) {
      const img = await decodeImage(join(dir, file));
      const faces = await engine.analyse(img, { scale });
      const face = largestFace(faces);
      if (face) samples.push({ person, file, embedding: face.embedding });
      else missing.push(join(person, file));
    }
  }
  let correct = 0;
  let evaluated = 0;
  const errors: string[] = [];
  for (const probe of samples) {
    const others = samples.filter((s) => s !== probe);
    if (!others.some((s) => s.person === probe.person)) continue; // a lone sample cannot be identified
    evaluated++;
    const best = nearestPerson(probe.embedding, others);
    if (best.person === probe.person) correct++;
    else errors.push(`${probe.person}/${probe.file} → ${best.person} (distance ${toContract(best.raw).toFixed(3)})`);
  }
  console.log(`gallery: ${samples.length} samples of ${new Set(samples.map((s) => s.person)).size} people; no face in ${missing.length}${missing.length ? `: ${missing.join(', ')}` : ''}`);
  console.log(`rank-1 leave-one-out: ${correct}/${evaluated} (${((100 * correct) / Math.max(evaluated, 1)).toFixed(1)} %)`);
  for (const e of errors) console.log(`  miss: ${e}`);

  const probes: { probe: string; faces: { person: string | null; closest: string; distance: number }[] }[] = [];
  if (values.probes) {
    for (const file of readdirSync(values.probes).filter((f) => IMAGE.test(f)).sort()) {
      const faces = await engine.analyse(await decodeImage(join(values.probes, file)), { scale });
      const named = faces.map((f) => {
        const best = nearestPerson(f.embedding, samples);
        const distance = toContract(best.raw);
        return { person: distance <= DEFAULT_MAX_DISTANCE ? best.person : null, closest: best.person, distance: Math.round(distance * 1000) / 1000 };
      });
      probes.push({ probe: file, faces: named });
      console.log(`${file}: ${named.map((n) => `${n.person ?? `unknown (closest ${n.closest})`} ${n.distance}`).join('; ') || 'no face'}`);
    }
  }
  console.log(JSON.stringify({ rank1: correct / Math.max(evaluated, 1), correct, evaluated, samples: samples.length, no_face: missing.length, probes }));
}

function nearestPerson(embedding: Float32Array, gallery: readonly Sample[]): { person: string; raw: number } {
  let best = { person: '', raw: Infinity };
  for (const s of gallery) {
    const raw = euclidean(embedding, s.embedding);
    if (raw < best.raw) best = { person: s.person, raw };
  }
  return best;
}
