// `facerec` command line: detect, compare, evaluate and benchmark the face engine.
import { parseArgs } from 'node:util';
import { catalogEntry } from '../../models/catalog.js';
import { FaceEngine } from '../engine/engine.js';
import { EMBEDDING_MODEL } from '../engine/embedder.js';
import { runLfwEval } from '../eval/lfw-eval.js';
import { parseIntOption, parseRange, UsageError } from './args.js';
import { MODELS_USAGE } from './models.js';

const USAGE = `usage:
  facerec detect <image> [--scale N] [--out annotated.png]
  facerec compare <imageA> <imageB> [--scale N]
  facerec eval lfw --pairs <pairs.txt> --images <dir> [--folds 1-10] [--scale N] [--fusion] [--cache file.json]
  facerec eval wider --gt <ground_truth.txt> --images <dir> [--scale N] [--scales 300,600,1200,2000]
  facerec eval identify --gallery <dir of person folders> [--probes <dir>]
  facerec bench [--rounds N]
  facerec bench api [--images N] [--clients 1,4,16] [--modes embedded,nats]
  facerec bench video [--loops N] [--sizes 640x360,960x540,1920x1080]
galleries of a running service (npm start):
${MODELS_USAGE}`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'detect':
      return (await import('./detect.js')).detectCommand(rest);
    case 'compare':
      return (await import('./detect.js')).compareCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case 'bench':
      if (rest[0] === 'api') return (await import('./bench-api.js')).benchApiCommand(rest.slice(1));
      if (rest[0] === 'video') return (await import('./bench-video.js')).benchVideoCommand(rest.slice(1));
      return (await import('./bench.js')).benchCommand(rest);
    case 'models':
      return (await import('./models.js')).modelsCommand(rest);
    case 'keys':
      return (await import('./keys.js')).keysCommand(rest);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

async function evalCommand(argv: string[]): Promise<void> {
  const [kind, ...rest] = argv;
  if (kind === 'lfw') {
    const { values } = parseArgs({
      args: rest,
      options: {
        pairs: { type: 'string' },
        images: { type: 'string' },
        folds: { type: 'string' },
        scale: { type: 'string', default: '600' },
        fusion: { type: 'boolean', default: false },
        cache: { type: 'string' },
      },
    });
    if (!values.pairs || !values.images) throw new UsageError('eval lfw needs --pairs and --images');
    const engine = await FaceEngine.load();
    const calibration = catalogEntry(EMBEDDING_MODEL).calibration;
    if (!calibration) throw new Error(`catalog entry ${EMBEDDING_MODEL} has no calibration`);
    const result = await runLfwEval(
      engine,
      {
        pairsFile: values.pairs,
        imagesDir: values.images,
        folds: values.folds ? parseRange(values.folds) : undefined,
        scale: parseIntOption('scale', values.scale),
        fusion: values.fusion,
        cache: values.cache,
        defaultVariant: 'default pipeline',
        threshold: calibration.threshold,
      },
      (line) => console.log(line),
    );
    console.log(JSON.stringify(result));
    return;
  }
  if (kind === 'wider') return (await import('./eval-wider.js')).widerCommand(rest);
  if (kind === 'identify') return (await import('./eval-identify.js')).identifyCommand(rest);
  throw new UsageError(`unknown evaluation '${kind ?? ''}' (lfw, wider, identify)`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`facerec: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`facerec: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
