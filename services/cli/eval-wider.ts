// `facerec eval wider --gt <ground_truth.txt> --images <dir> [--scale N] [--scales a,b,c]`
import { parseArgs } from 'node:util';
import { detectorFromEnv, loadLocator } from '../../libs/engine/engine.js';
import { evaluateWider, readWider, widerTable, type WiderScaleResult } from '../../libs/eval/wider-eval.js';
import { parseIntOption, UsageError } from './args.js';

export async function widerCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { gt: { type: 'string' }, images: { type: 'string' }, scale: { type: 'string', default: '1200' }, scales: { type: 'string' } },
  });
  if (!values.gt || !values.images) throw new UsageError('eval wider needs --gt and --images');
  const main = parseIntOption('scale', values.scale);
  const scales = values.scales ? values.scales.split(',').map((s) => parseIntOption('scales', s)) : [main];
  if (!scales.includes(main)) scales.push(main);
  const images = readWider(values.gt);
  // The installation's detector (FACEREC_DETECTOR) with its landmark stage, as the service runs it.
  const detector = await loadLocator(detectorFromEnv());
  const results: WiderScaleResult[] = [];
  for (const scale of scales) results.push(await evaluateWider(detector, images, values.images, scale));
  console.log(`WIDER FACE: ${images.length} images, AP at IoU 0.5 (valid faces; detector scores ≥ 0.3)`);
  for (const line of widerTable(results)) console.log(line);
  const r = results.find((x) => x.scale === main)!;
  console.log(JSON.stringify({ ...r, by_scale: results }));
}
