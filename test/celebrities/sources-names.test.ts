// The names of the real sources (../shared/data: LFW's folders and celebrities/people.csv) propose
// the merges the issue names — CFP's typos, Joe/Joseph Biden, Bernie/Bernard Sanders — and people.csv
// gives each photo its role (Pins 10 enrolled + 10 probes, CFP frontal but the last enrolled).
// Names only: whether the faces agree is the build's (and test/celebrities/merge.test.ts's) business.
import { describe, expect, it } from 'vitest';
import { proposePairs, type SourcePerson } from '../../libs/celebrities/merge.js';
import { readPeopleCsv, readPersonFolders, SOURCES } from '../../libs/celebrities/sources.js';
import { sharedDataFile } from '../support/shared-data.js';

const celebrities = sharedDataFile('celebrities/people.csv') && sharedDataFile('celebrities');
const lfw = sharedDataFile('lfw-dev/images');

describe.skipIf(!celebrities || !lfw)('the real sources: roles and proposed merges', () => {
  const records = [...readPersonFolders(lfw!), ...readPeopleCsv(celebrities!, SOURCES.filter((s) => s !== 'lfw'))];
  const people: SourcePerson[] = records.map((r) => ({ source: r.source, id: r.id, name: r.name, photos: [] }));

  it('reads every source person with their photos and roles', () => {
    const count = (s: string) => records.filter((r) => r.source === s).length;
    expect([count('lfw'), count('pins'), count('cfp'), count('congress'), count('bundestag')]).toEqual([5749, 105, 500, 3522, 337]);
    const pins = records.find((r) => r.source === 'pins' && r.name === 'Elon Musk')!;
    expect(pins.photos.filter((p) => p.role === 'enrol')).toHaveLength(10);
    expect(pins.photos.filter((p) => p.role === 'frontal-probe')).toHaveLength(10);
    const merkel = records.find((r) => r.source === 'cfp' && r.name === 'Angela Merkel')!;
    expect(merkel.photos.map((p) => `${p.file.split('/').pop()} ${p.role}`)).toEqual([
      'frontal_01.jpg enrol', 'frontal_02.jpg enrol', 'frontal_03.jpg enrol', 'frontal_04.jpg enrol', 'frontal_05.jpg enrol',
      'frontal_06.jpg frontal-probe', 'profile_01.jpg profile-probe', 'profile_02.jpg profile-probe',
    ]);
    const congress = records.find((r) => r.source === 'congress' && r.name === 'Nancy Pelosi')!;
    expect(congress).toMatchObject({ category: 'politics', country: 'US', born: 1940 });
  });

  it('proposes the CFP typos, the known variants and the same names across sources', () => {
    const proposed = new Set(proposePairs(people).map(({ i, j, kind }) => `${kind} ${[`${people[i]!.source}:${people[i]!.name}`, `${people[j]!.source}:${people[j]!.name}`].sort().join(' / ')}`));
    for (const pair of [
      'near cfp:Jevin Kostner / lfw:Kevin Costner',
      'near cfp:Nancy Peloci / congress:Nancy Pelosi',
      'near cfp:Jennifer Anniston / lfw:Jennifer Aniston',
      'near cfp:Alex Fergusson / lfw:Alex Ferguson',
      'near cfp:Albert Pujol / lfw:Albert Pujols',
      'near cfp:Recep Erdogen / lfw:Recep Tayyip Erdogan',
      'variant cfp:Joe Biden / congress:Joseph Biden',
      'variant cfp:Bernie Sanders / congress:Bernard Sanders',
      'exact cfp:Leonardo Dicaprio / lfw:Leonardo DiCaprio',
      'exact cfp:Leonardo Dicaprio / pins:Leonardo DiCaprio',
      'exact cfp:Angela Merkel / lfw:Angela Merkel',
    ])
      expect(proposed, pair).toContain(pair);
    // Two people of one source are never proposed: Congress has several members of one name.
    expect([...proposed].some((p) => /congress:.* \/ congress:/.test(p))).toBe(false);
  });
});
