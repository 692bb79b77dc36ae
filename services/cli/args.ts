// Argument helpers shared by the CLI's commands.
export class UsageError extends Error {}

export function parseIntOption(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${value}'`);
  return n;
}

/** "1-10", "3", "1,2,5-6" → the listed integers. */
export function parseRange(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new UsageError(`bad range '${spec}'`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    for (let k = a; k <= b; k++) out.push(k);
  }
  return out;
}

/** Removes --verbose (anywhere on the line) from the arguments. */
export function takeVerbose(argv: readonly string[]): { verbose: boolean; args: string[] } {
  const args = argv.filter((a) => a !== '--verbose');
  return { verbose: args.length !== argv.length, args };
}

/**
 * An error as one line for the user: its message (which names the file, for file errors) and
 * those of its causes, without the stack trace (`--verbose` shows it).
 */
export function errorLine(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const line = message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
    if (line && !parts.some((p) => p.includes(line))) parts.push(line);
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ') || 'failed';
}
