// `facerec` command line: detect, compare, evaluate and benchmark the face engine; galleries of a
// running service; administration. Quiet unless --verbose: no log lines, and an error is one line.
// A command's modules (the engine, NATS, …) are loaded when it runs, so `facerec --help` starts fast.
import { parseArgs } from 'node:util';
import { ADMIN_USAGE } from './admin.js';
import { errorLine, parseIntOption, parseRange, takeVerbose, UsageError } from './args.js';
import { KEYS_USAGE } from './keys.js';
import { MODELS_USAGE } from './models.js';

const USAGE = `usage:
  facerec detect <image> [--scale N] [--out annotated.png]
  facerec compare <imageA> <imageB> [--scale N] [--face-a N|x,y,w,h] [--face-b N|x,y,w,h]
  facerec eval lfw --pairs <pairs.txt> --images <dir> [--folds 1-10] [--scale N] [--cache file.json] [--extra-variants]
  facerec celebrities build [--data ../shared/data] [--sources lfw,pins,cfp,congress,bundestag] [--lfw <dir>|--images <dir of person folders>] [--cache lfw.json] [--sources-cache sources.json] [--per-person 10] [--cover-radius 0.8] [--out file]
  facerec eval openset --images <dir of person folders> [--gallery-photos 2] [--min-photos 4] [--strangers 500] [--scale N] [--cache file.json] [--cohort N]
  facerec eval openset --gallery celebrities [--data ../shared/data] [--cache lfw.json] [--sources-cache sources.json] [--strangers 500] [--portrait-strangers 500] [--stranger-dirs d1,d2] [--exclude name,...] [--thresholds 0.9,1.0] [--sizes 1000,3000] [--margins 0.05,0.1]
  facerec eval openset --images <dir> --gallery-size 100,1000,5749 [--per-person 3] [--strangers 500] [--stranger-dirs d1,d2] [--exclude name,...] [--thresholds 0.9,1.0]
  facerec eval wider --gt <ground_truth.txt> --images <dir> [--scale N] [--scales 300,600,1200,2000]
  facerec eval identify --gallery <dir of person folders> [--probes <dir>]
  facerec eval video --truth <json> [--model <gallery or folder>] [--data <dir>] [--clips a,b] [--tolerance 0.5] [--linking]
  facerec bench [--rounds N]
  facerec bench api [--images N] [--clients 1,4,16] [--modes embedded,nats]
  facerec bench video [--loops N] [--sizes 640x360,960x540,1920x1080]
  facerec bench search [--sizes 1000,10000,13000,100000] [--queries N] [--limit N]
  facerec bench batch [--batches 1,4,16,64] [--frame 960x540] [--scale 600] [--require-provider cuda|cpu]
  facerec bench levels [--runs 10] [--threads 1]
  facerec bench gallery-store [--identities 10000] [--samples 2] [--store sqlite,postgres] [--queries 300] [--database postgres://…]
  facerec bench int8 --images <lfw images> --pairs <view 2 pairs.txt> [--chips 1000] [--rounds 5]
  facerec calibrate int8 --images <lfw images> --pairs <view 2 pairs.txt> [--count 300] [--method least-error|min-max] [--out file.json]
  facerec calibrate int8 --model yunet --celebrities <celebrities folder> [--count 120] [--method least-error|min-max] [--out file.json]
galleries of a running service (npm start):
${MODELS_USAGE}
API keys of a running service (started with FACEREC_API_KEY):
${KEYS_USAGE}
administration:
${ADMIN_USAGE}
every command takes --verbose: log lines on stderr, and the stack trace of an error`;

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
      if (rest[0] === 'search') return (await import('./bench-search.js')).benchSearchCommand(rest.slice(1));
      if (rest[0] === 'gallery-store') return (await import('./bench-gallery-store.js')).benchGalleryStoreCommand(rest.slice(1));
      if (rest[0] === 'batch') return (await import('./bench-batch.js')).benchBatchCommand(rest.slice(1));
      if (rest[0] === 'levels') return (await import('./bench-levels.js')).benchLevelsCommand(rest.slice(1));
      if (rest[0] === 'int8') return (await import('./bench-int8.js')).benchInt8Command(rest.slice(1));
      return (await import('./bench.js')).benchCommand(rest);
    case 'models':
      return (await import('./models.js')).modelsCommand(rest);
    case 'celebrities':
      return (await import('./celebrities.js')).celebritiesCommand(rest);
    case 'calibrate':
      return (await import('./calibrate.js')).calibrateCommand(rest);
    case 'admin':
      return (await import('./admin.js')).adminCommand(rest);
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
        cache: { type: 'string' },
        'extra-variants': { type: 'boolean', default: false },
      },
    });
    if (!values.pairs || !values.images) throw new UsageError('eval lfw needs --pairs and --images');
    const [{ FaceEngine }, { catalogEntry }, { runLfwEval }] = await Promise.all([
      import('../../libs/engine/engine.js'),
      import('../../models/catalog.js'),
      import('../../libs/eval/lfw-eval.js'),
    ]);
    const engine = await FaceEngine.load();
    const calibration = catalogEntry(engine.embedder.model).calibration;
    const result = await runLfwEval(
      engine,
      {
        pairsFile: values.pairs,
        imagesDir: values.images,
        folds: values.folds ? parseRange(values.folds) : undefined,
        scale: parseIntOption('scale', values.scale),
        cache: values.cache,
        extraVariants: values['extra-variants'],
        calibration,
      },
      (line) => console.log(line),
    );
    console.log(JSON.stringify(result));
    return;
  }
  if (kind === 'openset') return openSetCommand(rest);
  if (kind === 'wider') return (await import('./eval-wider.js')).widerCommand(rest);
  if (kind === 'identify') return (await import('./eval-identify.js')).identifyCommand(rest);
  if (kind === 'video') return (await import('./eval-video.js')).evalVideoCommand(rest);
  throw new UsageError(`unknown evaluation '${kind ?? ''}' (lfw, openset, wider, identify, video)`);
}

async function openSetCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      images: { type: 'string' },
      'gallery-photos': { type: 'string', default: '2' },
      'min-photos': { type: 'string', default: '4' },
      strangers: { type: 'string', default: '500' },
      scale: { type: 'string', default: '600' },
      cache: { type: 'string' },
      cohort: { type: 'string', default: '0' },
      'gallery-size': { type: 'string' },
      'per-person': { type: 'string' },
      'stranger-dirs': { type: 'string', default: '' },
      exclude: { type: 'string', default: '' },
      thresholds: { type: 'string', default: '0.9,0.95,1.0,1.05' },
      margins: { type: 'string', default: '' },
      gallery: { type: 'string' },
      data: { type: 'string' },
      sources: { type: 'string' },
      lfw: { type: 'string' },
      celebrities: { type: 'string' },
      'sources-cache': { type: 'string' },
      'portrait-strangers': { type: 'string', default: '500' },
      'cover-radius': { type: 'string' },
      sizes: { type: 'string', default: '1000,3000' },
      'stranger-rate': { type: 'string', default: '0.01' },
    },
  });
  if (values.gallery !== undefined) {
    if (values.gallery !== 'celebrities') throw new UsageError(`eval openset --gallery: only 'celebrities' (the merged pre-trained gallery, built from its sources)`);
    return celebritiesOpenSet(values);
  }
  if (!values.images) throw new UsageError('eval openset needs --images (a folder of person folders, LFW layout) or --gallery celebrities');
  const [{ runOpenSet, runGallerySize }, { contractDistanceFor }, { FaceEngine }, { catalogEntry }] = await Promise.all([
    import('../../libs/eval/openset.js'),
    import('../../libs/engine/calibration.js'),
    import('../../libs/engine/engine.js'),
    import('../../models/catalog.js'),
  ]);
  const engine = await FaceEngine.load();
  const toContract = contractDistanceFor(catalogEntry(engine.embedder.model).calibration);
  const scale = parseIntOption('scale', values.scale);
  if (values['gallery-size']) {
    const sizes = values['gallery-size'].split(',').map((s) => parseIntOption('gallery-size', s));
    const results = [];
    for (const gallerySize of sizes) {
      results.push(
        await runGallerySize(
          engine,
          {
            imagesDir: values.images,
            gallerySize,
            strangers: parseIntOption('strangers', values.strangers),
            strangerDirs: values['stranger-dirs'].split(',').filter(Boolean),
            exclude: values.exclude.split(',').filter(Boolean),
            perPerson: parseIntOption('per-person', values['per-person'] ?? '3'),
            scale,
            toContract,
            cache: values.cache,
            thresholds: values.thresholds.split(',').map(Number),
            margins: values.margins.split(',').filter(Boolean).map(Number),
          },
          (line) => console.log(line),
        ),
      );
    }
    console.log(JSON.stringify(results));
    return;
  }
  const galleryPhotos = parseIntOption('gallery-photos', values['gallery-photos']);
  const minPhotos = parseIntOption('min-photos', values['min-photos']);
  if (galleryPhotos < 1 || minPhotos <= galleryPhotos) throw new UsageError('--min-photos must exceed --gallery-photos (the rest are probes), and --gallery-photos be at least 1');
  const result = await runOpenSet(
    engine,
    {
      imagesDir: values.images,
      galleryPhotos,
      minPhotos,
      strangers: parseIntOption('strangers', values.strangers),
      scale,
      toContract,
      cache: values.cache,
      cohort: parseIntOption('cohort', values.cohort),
    },
    (line) => console.log(line),
  );
  console.log(JSON.stringify(result));
}

/** `facerec eval openset --gallery celebrities`: the merged gallery as the build makes it, probes never enrolled, strangers held out. */
async function celebritiesOpenSet(values: Record<string, string | boolean | undefined>): Promise<void> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const [{ runCelebritiesOpenSet }, cli, { FaceEngine }, { readCuratedMetadata }, { LFW_ALIASES }, { strangerPhotos }] = await Promise.all([
    import('../../libs/eval/celebrities-openset.js'),
    import('./celebrities.js'),
    import('../../libs/engine/engine.js'),
    import('../../libs/celebrities/build.js'),
    import('../../libs/eval/lfw-aliases.js'),
    import('../../libs/eval/photo-embeddings.js'),
  ]);
  const o = cli.sourcesOptions({ data: str('data'), sources: str('sources'), lfw: str('lfw') ?? str('images'), celebrities: str('celebrities'), cache: str('cache'), 'sources-cache': str('sources-cache'), scale: str('scale') });
  const engine = await FaceEngine.load();
  const { records, embeddings } = await cli.loadSources(engine, o);
  const list = (k: string) => (str(k) ?? '').split(',').filter(Boolean);
  const outsideStrangers = await strangerPhotos(engine, list('stranger-dirs'), list('exclude'), o.scale);
  const result = runCelebritiesOpenSet(
    {
      records,
      embeddings,
      perPerson: parseIntOption('per-person', str('per-person') ?? String(cli.DEFAULT_PER_PERSON)),
      coverRadius: Number(str('cover-radius') ?? cli.DEFAULT_COVER_RADIUS),
      curated: readCuratedMetadata(cli.CURATED_METADATA),
      lfwAliases: LFW_ALIASES.map(([a, b]) => [a, b] as const),
      strangers: parseIntOption('strangers', str('strangers') ?? '500'),
      portraitStrangers: parseIntOption('portrait-strangers', str('portrait-strangers') ?? '500'),
      outsideStrangers,
      thresholds: (str('thresholds') ?? '').split(',').filter(Boolean).map(Number),
      sizes: (str('sizes') ?? '').split(',').filter(Boolean).map((x) => parseIntOption('sizes', x)),
      strangerRate: Number(str('stranger-rate') ?? '0.01'),
      margins: (str('margins') ?? '').split(',').filter(Boolean).map(Number),
    },
    (line) => console.log(line),
  );
  console.log(JSON.stringify(result));
}

const { verbose, args } = takeVerbose(process.argv.slice(2));
// Log lines are for services; a command shows them with --verbose (LOG_LEVEL, when set, wins).
// The logger reads LOG_LEVEL when a command first loads it (nothing imported above does).
if (!process.env.LOG_LEVEL) process.env.LOG_LEVEL = verbose ? 'debug' : 'error';

main(args).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`facerec: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`facerec: ${verbose ? ((err as Error).stack ?? String(err)) : errorLine(err)}`);
  process.exit(1);
});
