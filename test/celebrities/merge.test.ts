// Merge decisions of the celebrities build on synthetic faces: a person is a random direction, a
// photo of them that direction plus noise (unit vectors; photos of one person ~0.6–0.9 apart, of two
// people ~1.41). Names propose, faces decide.
import { describe, expect, it } from 'vitest';
import { checkOwnPhotos, mergePeople, type SourcePerson } from '../../libs/celebrities/merge.js';
import { DEFAULT_THRESHOLDS } from '../../libs/celebrities/build.js';
import { syntheticFaces } from '../support/synthetic-faces.js';

const { face, photo } = syntheticFaces(7);

const person = (source: string, name: string, f: Float32Array | Float32Array[], n = 1): SourcePerson => ({
  source,
  id: name,
  name,
  photos: (Array.isArray(f) ? f : Array.from({ length: n }, () => f)).map((x, i) => ({ file: `${name}/${i}.jpg`, embedding: photo(x) })),
});

const namesOf = (r: ReturnType<typeof mergePeople>) => r.identities.map((i) => i.members.map((m) => `${m.source}:${m.name}`).sort().join(' + ')).sort();

describe('celebrities merge', () => {
  it('merges one person across sources under the same name, a known variant or a CFP typo when the faces agree', () => {
    const [biden, sanders, costner, pelosi, merkel] = [face(), face(), face(), face(), face()];
    const r = mergePeople(
      [
        person('cfp', 'Joe Biden', biden, 5),
        person('congress', 'Joseph Biden', biden),
        person('lfw', 'Joseph_Biden', biden, 3),
        person('cfp', 'Bernie Sanders', sanders, 5),
        person('congress', 'Bernard Sanders', sanders),
        person('cfp', 'Jevin Kostner', costner, 5),
        person('lfw', 'Kevin_Costner', costner, 4),
        person('cfp', 'Nancy Peloci', pelosi, 5),
        person('congress', 'Nancy Pelosi', pelosi),
        person('cfp', 'Angela Merkel', merkel, 5),
        person('bundestag', 'Angela Merkel', merkel),
      ],
      DEFAULT_THRESHOLDS,
    );
    expect(namesOf(r)).toEqual([
      'bundestag:Angela Merkel + cfp:Angela Merkel',
      'cfp:Bernie Sanders + congress:Bernard Sanders',
      'cfp:Jevin Kostner + lfw:Kevin_Costner',
      'cfp:Joe Biden + congress:Joseph Biden + lfw:Joseph_Biden',
      'cfp:Nancy Peloci + congress:Nancy Pelosi',
    ]);
    expect(r.merges.filter((m) => m.kind === 'near').length).toBe(2);
    expect(r.conflicts).toEqual([]);
  });

  it('never merges two people who share a name, nor a near spelling of another face', () => {
    const r = mergePeople(
      [
        person('lfw', 'John_Smith', face(), 2),
        person('congress', 'John Smith', face()),
        person('cfp', 'Kevin Costner', face(), 5),
        person('lfw', 'Kevin_Costnor', face(), 2),
      ],
      DEFAULT_THRESHOLDS,
    );
    expect(r.identities).toHaveLength(4);
    expect(r.merges).toEqual([]);
    expect(r.conflicts.map((c) => c.kind)).toEqual(['same-name-different-faces']);
    expect(r.refused.map((m) => `${m.kind} ${m.a} ${m.b}`).sort()).toEqual(['exact lfw:John_Smith congress:John Smith', 'near cfp:Kevin Costner lfw:Kevin_Costnor']);
  });

  it('never merges two people of one source (a source lists each person once), unless a known alias', () => {
    const f = face();
    const g = face();
    const r = mergePeople(
      [person('congress', 'John Smith (b. 1950)', f), person('congress', 'John Smith (b. 1960)', f), person('lfw', 'Doc_Rivers', g, 2), person('lfw', 'Glenn_Rivers', g, 2)],
      DEFAULT_THRESHOLDS,
      [['lfw:Doc_Rivers', 'lfw:Glenn_Rivers']],
    );
    expect(namesOf(r)).toEqual(['congress:John Smith (b. 1950)', 'congress:John Smith (b. 1960)', 'lfw:Doc_Rivers + lfw:Glenn_Rivers']);
  });

  it('flags and drops a person whose own photos are two people; leaves out a lone outlier photo', () => {
    const a = face();
    const b = face();
    const two = checkOwnPhotos(person('pins', 'Two People', [a, a, a, b, b, b]), DEFAULT_THRESHOLDS.sameFace);
    expect(two.conflict?.kind).toBe('photos-disagree');
    expect(two.kept).toEqual([]);
    const one = checkOwnPhotos(person('pins', 'One Person', [a, a, a, a, b]), DEFAULT_THRESHOLDS.sameFace);
    expect(one.conflict).toBeUndefined();
    expect(one.kept).toHaveLength(4);
    expect(one.outliers.map((o) => o.file)).toEqual(['One Person/4.jpg']);
    const r = mergePeople([person('pins', 'Two People', [a, a, b, b])], DEFAULT_THRESHOLDS);
    expect(r.identities).toEqual([]);
    expect(r.dropped.map((p) => p.name)).toEqual(['Two People']);
  });
});

describe('celebrity display names', () => {
  it('take the first source by priority, or a fuller spelling of the same name from another source, never CFP\'s nor a variant', async () => {
    const { displayName } = await import('../../libs/celebrities/build.js');
    expect(displayName([{ source: 'lfw', name: 'Juergen_Trittin' }, { source: 'bundestag', name: 'Jürgen Trittin' }])).toBe('Jürgen Trittin');
    expect(displayName([{ source: 'lfw', name: 'Linda_Sanchez' }, { source: 'congress', name: 'Linda Sánchez' }])).toBe('Linda Sánchez');
    expect(displayName([{ source: 'lfw', name: 'Leonardo_DiCaprio' }, { source: 'cfp', name: 'Leonardo Dicaprio' }])).toBe('Leonardo DiCaprio');
    expect(displayName([{ source: 'lfw', name: 'Kevin_Costner' }, { source: 'cfp', name: 'Jevin Kostner' }])).toBe('Kevin Costner');
    expect(displayName([{ source: 'congress', name: 'Bernard Sanders' }, { source: 'cfp', name: 'Bernie Sanders' }])).toBe('Bernard Sanders');
    expect(displayName([{ source: 'bundestag', name: 'Dr. Bernd Fabritius' }])).toBe('Bernd Fabritius');
  });
});
