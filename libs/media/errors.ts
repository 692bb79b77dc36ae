// The one error type of libs/media. Its message is written for a person reading a failed job's
// `errors` (no stack, no server paths beyond the file's own name).
export class MediaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MediaError';
  }
}

/** A tool's message line without the "[mov,mp4,… @ 0x55d0…]" pointer noise: "[mov,mp4,…] …". */
export function cleanToolLine(line: string): string {
  return line.trim().replace(/^\[([^\]@]*?)\s*@\s*0x[0-9a-f]+\]\s*/i, '[$1] ');
}

/** The last `maxLines` distinct non-empty lines of a tool's stderr, cleaned, joined by "; ". */
export function lastLines(stderr: string, maxLines = 3): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map(cleanToolLine)
    .filter((l) => l.length > 0);
  const distinct: string[] = [];
  for (let i = lines.length - 1; i >= 0 && distinct.length < maxLines; i--) {
    const line = lines[i]!;
    if (!distinct.includes(line)) distinct.unshift(line);
  }
  return distinct.join('; ');
}

/** Replaces the absolute path (and its `file:` form) in a tool's message by the file's base name. */
export function hidePath(message: string, absPath: string, baseName: string): string {
  return message.split(`file:${absPath}`).join(baseName).split(absPath).join(baseName);
}
