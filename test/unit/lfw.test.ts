import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lfwImagePath, parseLfwPairs } from '../../libs/eval/lfw.js';
import { sharedDataFile } from '../support/shared-data.js';

describe('parseLfwPairs', () => {
  it('reads the "folds pairs-per-fold" layout (view 2)', () => {
    const text = [
      '2\t2',
      'Abel_Pacheco\t1\t4',
      'Akhmed_Zakayev 1 3',
      'Abdel_Madi_Shabneh\t1\tDean_Barker\t1',
      'Abdel_Madi_Shabneh  1  Giancarlo_Fisichella  1',
      'Zico 1 2',
      'Zoran_Djindjic 3 4',
      'Zach_Safrin 1 Zhang_Wenkang 2',
      'Zeng_Qinghong 1 Zico 3',
      '',
    ].join('\r\n');
    const pairs = parseLfwPairs(text);
    expect(pairs).toHaveLength(8);
    expect(pairs[0]).toEqual({ a: { name: 'Abel_Pacheco', index: 1 }, b: { name: 'Abel_Pacheco', index: 4 }, same: true, fold: 1 });
    expect(pairs[3]).toEqual({
      a: { name: 'Abdel_Madi_Shabneh', index: 1 },
      b: { name: 'Giancarlo_Fisichella', index: 1 },
      same: false,
      fold: 1,
    });
    expect(pairs.map((p) => [p.fold, p.same])).toEqual([
      [1, true], [1, true], [1, false], [1, false],
      [2, true], [2, true], [2, false], [2, false],
    ]);
  });

  it('splits the single-set layout (view 1) into 10 balanced folds of consecutive pairs', () => {
    const n = 20;
    const lines = [String(n)];
    for (let m = 0; m < n; m++) lines.push(`Person_${m} 1 2`);
    for (let m = 0; m < n; m++) lines.push(`Person_${m}\t1\tOther_${m}\t1`);
    const pairs = parseLfwPairs(lines.join('\n'));
    expect(pairs).toHaveLength(40);
    expect(pairs.slice(0, n).map((p) => p.fold)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]);
    expect(pairs.slice(n).map((p) => p.fold)).toEqual(pairs.slice(0, n).map((p) => p.fold));
    expect(pairs[n]!.b).toEqual({ name: 'Other_0', index: 1 });
    expect(pairs.slice(0, n).every((p) => p.same)).toBe(true);
    expect(pairs.slice(n).every((p) => !p.same)).toBe(true);
  });

  it('reports malformed input with its line number', () => {
    expect(() => parseLfwPairs('')).toThrow(/empty/);
    expect(() => parseLfwPairs('abc\n')).toThrow(/line 1: header count/);
    expect(() => parseLfwPairs('1\nA 1 2\nB 1 2\n')).toThrow(/line 3: expected a mismatched pair/);
    expect(() => parseLfwPairs('1\nA 1 C 2\nB 1 C 2\n')).toThrow(/line 2: expected a matched pair/);
    expect(() => parseLfwPairs('1\nA 1 x\nB 1 C 2\n')).toThrow(/line 2: image number must be a positive integer, got "x"/);
    expect(() => parseLfwPairs('2\nA 1 2\nB 1 C 2\n')).toThrow(/announces 4 pair lines, file has 2/);
    expect(() => parseLfwPairs('1 1\nA 1 2\nB 1 C 2\nD 1 2\n')).toThrow(/first extra line: 4/);
    expect(() => parseLfwPairs('1 2 3\n')).toThrow(/header must be/);
  });

  const devTrain = sharedDataFile('lfw-dev/pairsDevTrain.txt');
  it.skipIf(devTrain === null)('reads the real pairsDevTrain.txt: 2200 pairs, 10 folds of 110 + 110', () => {
    const pairs = parseLfwPairs(readFileSync(devTrain!, 'utf8'));
    expect(pairs).toHaveLength(2200);
    for (let fold = 1; fold <= 10; fold++) {
      const inFold = pairs.filter((p) => p.fold === fold);
      expect(inFold.filter((p) => p.same)).toHaveLength(110);
      expect(inFold.filter((p) => !p.same)).toHaveLength(110);
    }
    expect(pairs[0]).toEqual({ a: { name: 'Aaron_Peirsol', index: 1 }, b: { name: 'Aaron_Peirsol', index: 2 }, same: true, fold: 1 });
    expect(pairs[1100]).toEqual({ a: { name: 'AJ_Cook', index: 1 }, b: { name: 'Marsha_Thomason', index: 1 }, same: false, fold: 1 });
    expect(pairs.every((p) => p.same === (p.a.name === p.b.name))).toBe(true);
    // The paths it leads to exist (sampled: checking all 4400 would be slow on a network disk).
    const imagesDir = join(dirname(devTrain!), 'images');
    for (const p of pairs.filter((_, i) => i % 97 === 0)) {
      expect(existsSync(lfwImagePath(imagesDir, p.a.name, p.a.index))).toBe(true);
      expect(existsSync(lfwImagePath(imagesDir, p.b.name, p.b.index))).toBe(true);
    }
  });
});

describe('lfwImagePath', () => {
  it('zero-pads the image number to 4 digits', () => {
    expect(lfwImagePath('/data/lfw', 'Aaron_Peirsol', 3)).toBe(join('/data/lfw', 'Aaron_Peirsol', 'Aaron_Peirsol_0003.jpg'));
    expect(lfwImagePath('imgs', 'George_W_Bush', 530)).toBe(join('imgs', 'George_W_Bush', 'George_W_Bush_0530.jpg'));
  });
});
