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
