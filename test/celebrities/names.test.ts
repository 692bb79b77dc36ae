// Name keys of the celebrities merge: case, accents, punctuation, titles, "Jr.", middle initials,
// short given names, and near spellings of CFP's typos found (and only proposed: faces decide).
import { describe, expect, it } from 'vitest';
import { displayForm, editDistance, exactKey, nearKeyPairs, shortKey, variantKeys } from '../../libs/celebrities/names.js';

describe('celebrity name keys', () => {
  it('ignore case, accents, punctuation, underscores, titles and suffixes', () => {
    expect(exactKey('Leonardo DiCaprio')).toBe(exactKey('Leonardo Dicaprio'));
    expect(exactKey('Leonardo_DiCaprio')).toBe('leonardo dicaprio');
    expect(exactKey('Recep Tayyip Erdoğan')).toBe('recep tayyip erdogan');
    expect(exactKey('Robert Downey Jr.')).toBe(exactKey('Robert Downey'));
    expect(exactKey('Dale Earnhardt Jr')).toBe('dale earnhardt');
    expect(exactKey('Dr. Bernd Fabritius')).toBe('bernd fabritius');
    expect(exactKey("Amar'e Stoudemire")).toBe('amare stoudemire');
    expect(exactKey('Jean-Claude Juncker')).toBe('jean claude juncker');
    expect(exactKey('John Smith (b. 1950)')).toBe('john smith');
    expect(exactKey('Gerhard Schröder')).toBe('gerhard schroder');
  });

  it('propose known variants: short given names, middle names and initials', () => {
    expect(variantKeys('Joe Biden')).toContain('joseph biden');
    expect(variantKeys('Joseph Biden')).toContain('joseph biden');
    expect(variantKeys('Bernie Sanders')).toContain('bernard sanders');
    expect(variantKeys('Bill Clinton')).toContain('william clinton');
    expect(variantKeys('George_W_Bush')).toContain('george bush');
    expect(variantKeys('Hillary Rodham Clinton')).toContain('hillary clinton');
    expect(variantKeys('Angela Merkel')).toEqual(['angela merkel']);
  });

  it('find the near spellings of CFP (edit distance ≤ 2 on given name + surname)', () => {
    const pairs: [string, string][] = [
      ['Jevin Kostner', 'Kevin Costner'],
      ['Nancy Peloci', 'Nancy Pelosi'],
      ['Jennifer Anniston', 'Jennifer Aniston'],
      ['Alex Fergusson', 'Alex Ferguson'],
      ['Albert Pujol', 'Albert Pujols'],
      ['Recep Erdogen', 'Recep_Tayyip_Erdogan'],
    ];
    for (const [a, b] of pairs) expect(editDistance(shortKey(a), shortKey(b), 2), `${a} / ${b}`).toBeLessThanOrEqual(2);
    const keys = [...pairs.flat().map(shortKey), 'angela merkel', 'kevin spacey'];
    const found = nearKeyPairs(keys, 2).map(([i, j]) => [keys[i], keys[j]].sort().join(' / '));
    for (const [a, b] of pairs) expect(found).toContain([shortKey(a), shortKey(b)].sort().join(' / '));
    expect(found.some((f) => f.includes('angela merkel') || f.includes('kevin spacey'))).toBe(false);
  });

  it('edit distance counts a swap of two letters as one edit and gives up above the bound', () => {
    expect(editDistance('merkel', 'mekrel')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('kevin costner', 'angela merkel', 2)).toBe(3);
  });

  it('show names without underscores or academic titles', () => {
    expect(displayForm('Dr. Bernd Fabritius')).toBe('Bernd Fabritius');
    expect(displayForm('Prof. Dr. Karl Lauterbach')).toBe('Karl Lauterbach');
    expect(displayForm('Angelina_Jolie')).toBe('Angelina Jolie');
    expect(displayForm('Dr. Dre')).toBe('Dr. Dre');
  });
});
