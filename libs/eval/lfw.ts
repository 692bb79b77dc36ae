// LFW pair lists (pairs.txt for view 2, pairsDevTrain.txt / pairsDevTest.txt for view 1).
import { join } from 'node:path';

export interface LfwPair {
  a: { name: string; index: number };
  b: { name: string; index: number };
  same: boolean;
  /** 1-based. */
  fold: number;
}

/** Folds a single-set list is split into, so view-1 lists can be cross-validated like view 2. */
const SINGLE_SET_FOLDS = 10;

interface Line {
  number: number; // 1-based line number in the file, for error messages
  fields: string[];
}

/**
 * Two layouts, told apart by the header:
 * - "10 300" (view 2): 10 folds, each 300 matched lines "name i j" then 300 mismatched lines
 *   "name1 i name2 j".
 * - "1100" (view 1, DevTrain/DevTest): N matched then N mismatched lines, split into 10 folds of
 *   consecutive lines: matched pair m (0-based) is in fold floor(10m/N)+1, mismatched likewise,
 *   so every fold keeps the set's 50/50 balance.
 * Fields may be separated by tabs or spaces; blank lines are skipped. Malformed input throws with
 * the line number.
 */
export function parseLfwPairs(text: string): LfwPair[] {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed !== '') lines.push({ number: i + 1, fields: trimmed.split(/\s+/) });
  });
  const header = lines[0];
  if (header === undefined) throw new Error('LFW pairs: file is empty');
  const counts = header.fields.map((f) => parseCount(f, header.number));
  const body = lines.slice(1);

  if (counts.length === 2) {
    const [folds, perFold] = counts as [number, number];
    expectLineCount(body, folds * perFold * 2, header.number);
    const pairs: LfwPair[] = [];
    for (let f = 0; f < folds; f++) {
      const start = f * perFold * 2;
      for (let k = 0; k < perFold; k++) pairs.push(parseMatched(body[start + k]!, f + 1));
      for (let k = 0; k < perFold; k++) pairs.push(parseMismatched(body[start + perFold + k]!, f + 1));
    }
    return pairs;
  }
  if (counts.length === 1) {
    const n = counts[0]!;
    expectLineCount(body, n * 2, header.number);
    const foldOf = (m: number) => Math.floor((m * SINGLE_SET_FOLDS) / n) + 1;
    const pairs: LfwPair[] = [];
    for (let m = 0; m < n; m++) pairs.push(parseMatched(body[m]!, foldOf(m)));
    for (let m = 0; m < n; m++) pairs.push(parseMismatched(body[n + m]!, foldOf(m)));
    return pairs;
  }
  throw new Error(`LFW pairs line ${header.number}: header must be "<pairs>" or "<folds> <pairs per fold>", got "${header.fields.join(' ')}"`);
}

/** <dir>/<name>/<name>_0001.jpg — LFW's 4-digit, 1-based image numbering. */
export function lfwImagePath(imagesDir: string, name: string, index: number): string {
  return join(imagesDir, name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

function parseMatched(line: Line, fold: number): LfwPair {
  if (line.fields.length !== 3) {
    throw new Error(`LFW pairs line ${line.number}: expected a matched pair "name i j", got "${line.fields.join(' ')}"`);
  }
  const [name, i, j] = line.fields as [string, string, string];
  return {
    a: { name, index: parseIndex(i, line.number) },
    b: { name, index: parseIndex(j, line.number) },
    same: true,
    fold,
  };
}

function parseMismatched(line: Line, fold: number): LfwPair {
  if (line.fields.length !== 4) {
    throw new Error(`LFW pairs line ${line.number}: expected a mismatched pair "name1 i name2 j", got "${line.fields.join(' ')}"`);
  }
  const [name1, i, name2, j] = line.fields as [string, string, string, string];
  return {
    a: { name: name1, index: parseIndex(i, line.number) },
    b: { name: name2, index: parseIndex(j, line.number) },
    same: false,
    fold,
  };
}

function parseIndex(field: string, lineNumber: number): number {
  if (!/^\d+$/.test(field) || Number(field) < 1) {
    throw new Error(`LFW pairs line ${lineNumber}: image number must be a positive integer, got "${field}"`);
  }
  return Number(field);
}

function parseCount(field: string, lineNumber: number): number {
  if (!/^\d+$/.test(field) || Number(field) < 1) {
    throw new Error(`LFW pairs line ${lineNumber}: header count must be a positive integer, got "${field}"`);
  }
  return Number(field);
}

function expectLineCount(body: Line[], expected: number, headerLine: number): void {
  if (body.length !== expected) {
    const where = body.length > expected ? ` (first extra line: ${body[expected]!.number})` : '';
    throw new Error(`LFW pairs line ${headerLine}: header announces ${expected} pair lines, file has ${body.length}${where}`);
  }
}
