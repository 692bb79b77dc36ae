// People's names as sources write them, brought to keys under which one person's spellings meet:
// case, accents, punctuation, titles and suffixes ("Dr.", "Jr."), middle initials, the usual
// short forms of given names (Joe/Joseph, Bernie/Bernard) and near spellings (CFP's "Nancy Peloci"
// for Nancy Pelosi). A key only proposes a merge: the faces decide (libs/celebrities/merge.ts).

/** Titles and suffixes that are not part of how a person is named. */
const TITLES = new Set(['dr', 'prof', 'professor', 'sir', 'dame', 'mr', 'mrs', 'ms', 'rev', 'hon']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv']);

/**
 * Short and long forms of given names (English; each group is one name). Used only to propose a
 * merge of two people whose other names agree; the faces must agree as well.
 */
const GIVEN_NAME_GROUPS: readonly (readonly string[])[] = [
  ['joseph', 'joe'],
  ['bernard', 'bernie'],
  ['william', 'bill', 'billy', 'will', 'willie'],
  ['robert', 'bob', 'bobby', 'rob', 'robbie', 'bert'],
  ['james', 'jim', 'jimmy', 'jamie'],
  ['michael', 'mike', 'mick', 'mickey'],
  ['thomas', 'tom', 'tommy'],
  ['richard', 'dick', 'rick', 'ricky', 'rich'],
  ['charles', 'chuck', 'charlie'],
  ['edward', 'ted', 'teddy', 'ed', 'eddie', 'ned'],
  ['theodore', 'ted', 'teddy'],
  ['anthony', 'tony'],
  ['daniel', 'dan', 'danny'],
  ['david', 'dave'],
  ['donald', 'don'],
  ['frederick', 'fred', 'freddie'],
  ['john', 'jack', 'johnny'],
  ['gerald', 'jerry'],
  ['lawrence', 'larry'],
  ['elizabeth', 'liz', 'beth', 'betsy'],
  ['matthew', 'matt'],
  ['nicholas', 'nick'],
  ['patrick', 'pat'],
  ['peter', 'pete'],
  ['ronald', 'ron'],
  ['samuel', 'sam'],
  ['steven', 'stephen', 'steve'],
  ['timothy', 'tim'],
  ['newton', 'newt'],
  ['henry', 'hank', 'harry'],
  ['andrew', 'andy'],
  ['benjamin', 'ben'],
  ['christopher', 'chris'],
  ['gregory', 'greg'],
  ['jeffrey', 'jeff'],
  ['kenneth', 'ken', 'kenny'],
  ['alexander', 'alex'],
  ['albert', 'al'],
  ['alan', 'al'],
  ['katherine', 'kathy', 'kate', 'catherine'],
  ['margaret', 'peggy', 'maggie'],
  ['deborah', 'debbie', 'debra'],
  ['susan', 'sue'],
  ['patricia', 'patty', 'pat'],
  ['douglas', 'doug'],
  ['leonard', 'len', 'lenny'],
  ['raymond', 'ray'],
  ['walter', 'walt'],
  ['zachary', 'zach'],
  ['nathaniel', 'nathan', 'nate'],
  ['vincent', 'vince'],
  ['randall', 'randy'],
  ['eugene', 'gene'],
  ['harold', 'hal'],
  ['phillip', 'philip', 'phil'],
  ['herbert', 'herb'],
  ['frank', 'francis'],
  ['jonathan', 'jon'],
];

/** Given name → the canonical (first) form of every group it belongs to. */
const CANONICAL = new Map<string, string[]>();
for (const group of GIVEN_NAME_GROUPS) for (const n of group) CANONICAL.set(n, [...(CANONICAL.get(n) ?? []), group[0]!]);

/** Lower case, no accents, no punctuation, no titles or suffixes, no "(b. 1950)" disambiguation: the words of a name. */
export function nameWords(name: string): string[] {
  const plain = name
    .replace(/_/g, ' ')
    .replace(/\([^)]*\)/g, ' ')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/ł/g, 'l')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  const words = plain.split(' ').filter(Boolean);
  // A title before a given name and surname ('Dr. Bernd Fabritius'), not a stage name ('Dr. Dre').
  while (words.length > 2 && TITLES.has(words[0]!)) words.shift();
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words;
}

/** The exact key: every word of the name, normalised ("Leonardo DiCaprio" = "Leonardo Dicaprio" = "leonardo_dicaprio"). */
export function exactKey(name: string): string {
  return nameWords(name).join(' ');
}

/**
 * Looser keys of the same person: without middle initials, given name and surname only
 * ("Hillary Rodham Clinton" → "hillary clinton"), and with the given name's long form
 * ("Joe Biden" → "joseph biden"). Includes the exact key.
 */
export function variantKeys(name: string): string[] {
  const words = nameWords(name);
  const keys = new Set<string>([words.join(' ')]);
  if (words.length === 0) return [];
  const noInitials = words.filter((w, i) => i === 0 || i === words.length - 1 || w.length > 1);
  keys.add(noInitials.join(' '));
  keys.add(givenAndSurname(words));
  for (const k of [...keys]) {
    const [first, ...rest] = k.split(' ');
    for (const canonical of CANONICAL.get(first!) ?? []) keys.add([canonical, ...rest].join(' '));
  }
  return [...keys];
}

/** Given name and surname only: the part of a name that near spellings are compared on. */
export function shortKey(name: string): string {
  return givenAndSurname(nameWords(name));
}

function givenAndSurname(words: readonly string[]): string {
  return words.length > 2 ? `${words[0]} ${words[words.length - 1]}` : words.join(' ');
}

/** Damerau–Levenshtein (optimal string alignment) distance, giving up above `max` (returns max + 1). */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prev2 = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const cur = new Array<number>(cols).fill(0);
    cur[0] = i;
    let best = cur[0];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    [prev2, prev] = [prev, cur];
  }
  return prev[cols - 1]!;
}

/**
 * Pairs of keys (indices into `keys`) within `max` edits of each other, found through shared
 * deletion variants (every key with up to `max` characters deleted) rather than all pairs.
 * Keys shorter than `minLength` are left out: short names are too close to each other by chance.
 */
export function nearKeyPairs(keys: readonly string[], max = 2, minLength = 8): [number, number][] {
  const byVariant = new Map<string, number[]>();
  const deletions = (s: string, depth: number, out: Set<string>) => {
    out.add(s);
    if (depth === 0) return;
    for (let i = 0; i < s.length; i++) deletions(s.slice(0, i) + s.slice(i + 1), depth - 1, out);
  };
  keys.forEach((k, i) => {
    if (k.length < minLength) return;
    const variants = new Set<string>();
    deletions(k, max, variants);
    for (const v of variants) {
      const list = byVariant.get(v);
      if (list) list.push(i);
      else byVariant.set(v, [i]);
    }
  });
  const seen = new Set<string>();
  const pairs: [number, number][] = [];
  for (const list of byVariant.values()) {
    if (list.length < 2) continue;
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) {
        const [i, j] = list[x]! < list[y]! ? [list[x]!, list[y]!] : [list[y]!, list[x]!];
        const id = `${i},${j}`;
        if (seen.has(id) || keys[i] === keys[j]) continue;
        seen.add(id);
        if (editDistance(keys[i]!, keys[j]!, max) <= max) pairs.push([i, j]);
      }
  }
  return pairs;
}

/** A name as shown: no underscores, no academic title ("Dr. Bernd Fabritius" → "Bernd Fabritius"), single spaces. */
export function displayForm(name: string): string {
  let words = name.replace(/_/g, ' ').trim().split(/\s+/);
  while (words.length > 2 && TITLES.has(words[0]!.toLowerCase().replace(/\.$/, ''))) words = words.slice(1);
  return words.join(' ');
}
