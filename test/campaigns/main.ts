// `npm run campaign -- faults|load|fuzz|media [options]`: runs one campaign at the given size and
// prints its table (Markdown, as quoted in the README). Exit 1 when the campaign found a defect.
import { listOption, natsServerBinary, numberOption } from './common.js';

const USAGE = `usage: npm run campaign -- <campaign> [options]
  faults [--trials 20] [--modes embedded,nats] [--services gateway,decoder,detector,embedder,matcher,aggregator] [--nats-restarts 20] [--disk-rounds 20]
         [--matcher-replica-kills 20] [--postgres-restarts 20]   (two matchers over a PostgreSQL server of the campaign's own)
  load   [--jobs 50] [--videos 10] [--modes embedded,nats]
  fuzz   [--requests 10000] [--seed 1]
  media  [--fetch-timeout 5]`;

async function main(argv: string[]): Promise<number> {
  const [campaign, ...args] = argv;
  const started = Date.now();
  let table: string;
  let ok: boolean;
  switch (campaign) {
    case 'faults': {
      const { runFaults, SERVICES } = await import('./faults.js');
      const trials = numberOption(args, 'trials', 20);
      const r = await runFaults({
        trials,
        modes: listOption(args, 'modes', ['embedded', 'nats']) as ('embedded' | 'nats')[],
        services: listOption(args, 'services', [...SERVICES]),
        natsRestarts: numberOption(args, 'nats-restarts', trials),
        diskRounds: numberOption(args, 'disk-rounds', trials),
        matcherReplicaKills: numberOption(args, 'matcher-replica-kills', trials),
        postgresRestarts: numberOption(args, 'postgres-restarts', trials),
        natsServer: natsServerBinary(),
      });
      table = r.table + notes(r.rows);
      ok = r.ok;
      break;
    }
    case 'load': {
      const { runLoad } = await import('./load.js');
      const r = await runLoad({
        jobs: numberOption(args, 'jobs', 50),
        videos: numberOption(args, 'videos', 10),
        modes: listOption(args, 'modes', ['embedded', 'nats']) as ('embedded' | 'nats')[],
        natsServer: natsServerBinary(),
      });
      table = r.table;
      ok = r.ok;
      break;
    }
    case 'fuzz': {
      const { runFuzz } = await import('./fuzz.js');
      const r = await runFuzz({ requests: numberOption(args, 'requests', 10_000), seed: numberOption(args, 'seed', 1) });
      table = r.table;
      ok = r.ok;
      break;
    }
    case 'media': {
      const { runMedia } = await import('./media.js');
      const r = await runMedia({ fetchTimeoutS: numberOption(args, 'fetch-timeout', 5) });
      table = r.table;
      ok = r.ok;
      break;
    }
    default:
      console.error(USAGE);
      return 2;
  }
  console.log(table);
  console.log(`\n${campaign}: ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 60_000).toFixed(1)} min (${argv.join(' ')})`);
  return ok ? 0 : 1;
}

function notes(rows: { scenario: string; mode: string; notes: string[] }[]): string {
  const lines = rows.flatMap((r) => r.notes.map((n) => `- ${r.scenario} (${r.mode}): ${n}`));
  return lines.length ? `\n\n${lines.join('\n')}` : '';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
