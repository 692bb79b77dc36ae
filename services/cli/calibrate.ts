// `facerec calibrate int8 --images <lfw images> --pairs <view 2 pairs.txt> [--count 300] [--method least-error|min-max] [--out file]`:
// the activation ranges the model build's int8 rewrite of faceplugin-fr512 reads
// (models/calibration/faceplugin-fr512.json, committed: derived figures, no photos).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseIntOption, UsageError } from './args.js';

const CALIBRATED_MODEL = 'faceplugin-fr512';

export async function calibrateCommand(argv: string[]): Promise<void> {
  const [kind, ...rest] = argv;
  if (kind !== 'int8') throw new UsageError(`unknown calibration '${kind ?? ''}' (int8)`);
  const { values } = parseArgs({
    args: rest,
    options: { images: { type: 'string' }, pairs: { type: 'string' }, count: { type: 'string', default: '300' }, out: { type: 'string' }, method: { type: 'string', default: 'least-error' } },
  });
  if (!values.images || !values.pairs) throw new UsageError('calibrate int8 needs --images and --pairs (view 2: its people are left out)');
  if (values.method !== 'least-error' && values.method !== 'min-max') throw new UsageError('--method is least-error or min-max');
  const count = parseIntOption('count', values.count);
  const [{ FaceEngine }, { MODELS_DIR, onnxPath }, { calibrate }] = await Promise.all([
    import('../../libs/engine/engine.js'),
    import('../../models/catalog.js'),
    import('../../libs/eval/quantise-calibration.js'),
  ]);
  // The float recogniser locates and aligns the chips; its graph is the one measured.
  const engine = await FaceEngine.load(undefined, { embedder: CALIBRATED_MODEL });
  const file = await calibrate(engine, CALIBRATED_MODEL, onnxPath(CALIBRATED_MODEL), values.images, values.pairs, count, values.method);
  const out = values.out ?? join(MODELS_DIR, 'calibration', `${CALIBRATED_MODEL}.json`);
  // One tensor a line: a small file whose changes read well in a diff.
  const ranges = Object.entries(file.ranges).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  writeFileSync(out, `${JSON.stringify({ ...file, ranges: undefined }, null, 1).replace(/\n}$/, `,\n "ranges": {\n${ranges.join(',\n')}\n }\n}`)}\n`);
  console.log(`calibrated ${Object.keys(file.ranges).length} activations of ${CALIBRATED_MODEL} on ${file.chips.count} chips (and their mirrors) → ${out}`);
}
