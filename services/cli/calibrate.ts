// `facerec calibrate int8 [--model faceplugin-fr512] --images <lfw images> --pairs <view 2 pairs.txt> [--count 300]`
// `facerec calibrate int8 --model yunet --celebrities <celebrities folder> [--count 120]`
// (both [--method least-error|min-max] [--out file]): the activation ranges the model build's int8
// rewrite of the recogniser or the detector reads (models/calibration/<model>.json, committed:
// derived figures, no photos).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseIntOption, UsageError } from './args.js';

const CALIBRATED_MODELS = ['faceplugin-fr512', 'yunet'] as const;

export async function calibrateCommand(argv: string[]): Promise<void> {
  const [kind, ...rest] = argv;
  if (kind !== 'int8') throw new UsageError(`unknown calibration '${kind ?? ''}' (int8)`);
  const { values } = parseArgs({
    args: rest,
    options: {
      model: { type: 'string', default: 'faceplugin-fr512' },
      images: { type: 'string' },
      pairs: { type: 'string' },
      celebrities: { type: 'string' },
      count: { type: 'string' },
      out: { type: 'string' },
      method: { type: 'string', default: 'least-error' },
    },
  });
  const model = values.model as (typeof CALIBRATED_MODELS)[number];
  if (!CALIBRATED_MODELS.includes(model)) throw new UsageError(`--model is ${CALIBRATED_MODELS.join(' or ')}`);
  if (values.method !== 'least-error' && values.method !== 'min-max') throw new UsageError('--method is least-error or min-max');
  const [{ FaceEngine }, { MODELS_DIR, onnxPath }, { calibrate, calibrateDetector }] = await Promise.all([
    import('../../libs/engine/engine.js'),
    import('../../models/catalog.js'),
    import('../../libs/eval/quantise-calibration.js'),
  ]);
  let file;
  if (model === 'yunet') {
    if (!values.celebrities) throw new UsageError('calibrate int8 --model yunet needs --celebrities (the folder with people.csv: its Pins and CFP photos make the frames)');
    file = await calibrateDetector(model, onnxPath(model), values.celebrities, parseIntOption('count', values.count ?? '120'), values.method);
  } else {
    if (!values.images || !values.pairs) throw new UsageError('calibrate int8 needs --images and --pairs (view 2: its people are left out)');
    // The float recogniser locates and aligns the chips; its graph is the one measured.
    const engine = await FaceEngine.load(undefined, { embedder: model });
    file = await calibrate(engine, model, onnxPath(model), values.images, values.pairs, parseIntOption('count', values.count ?? '300'), values.method);
  }
  const out = values.out ?? join(MODELS_DIR, 'calibration', `${model}.json`);
  // One tensor a line: a small file whose changes read well in a diff.
  const ranges = Object.entries(file.ranges).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  writeFileSync(out, `${JSON.stringify({ ...file, ranges: undefined }, null, 1).replace(/\n}$/, `,\n "ranges": {\n${ranges.join(',\n')}\n }\n}`)}\n`);
  console.log(`calibrated ${Object.keys(file.ranges).length} activations of ${model} on ${file.chips.count} ${model === 'yunet' ? 'frames' : 'chips (and their mirrors)'} → ${out}`);
}
