// `facerec eval openset --gallery celebrities`: open-set identification against the merged
// `celebrities` gallery as `facerec celebrities build` makes it, from the same sources and caches.
//
// Probes never enrolled: the Pins photos past the 10 each person enrols, CFP's last frontal photo
// and its profile photos, and (LFW leave-one-out as before) the last photo of every LFW person
// with two or more, held out of the gallery built for this evaluation. Strangers, held out of that
// gallery entirely: LFW people with one photo who are in no other source, US Congress members who
// are in no other source (one official portrait each: strangers of the portrait kind), and the
// photos of folders of people outside every source (`--stranger-dirs`). One-photo politicians get
// their own look: people of LFW who are also in Congress or the Bundestag, enrolled from their one
// official portrait only, probed with their LFW photos.
//
// The gallery-size rule (libs/engine/decision.ts) is re-derived on half of the people (a hash of
// the name picks the half: "tune") and judged on the other half ("held-out"): for galleries of
// 1,000, 3,000 and all identities, the largest threshold that names at most 1 % of the tune
// strangers; the slope per tenfold growth fitted to those; the held-out half at the fitted rule.
import { createHash } from 'node:crypto';
import { sizeAdjustedMaxDistance, SIZE_FREE_IDENTITIES } from '../engine/decision.js';
import { buildCelebrities, type BuildInput, type CelebrityIdentity } from '../celebrities/build.js';
import type { SourceRecord } from '../celebrities/sources.js';
import { evenly, pct } from './openset.js';

export interface CelebritiesOpenSetOptions extends Omit<BuildInput, 'holdOut' | 'thresholds'> {
  /** LFW one-photo people (in no other source) held out as strangers. */
  strangers: number;
  /** Congress members (in no other source) held out as strangers. */
  portraitStrangers: number;
  /** Photos of people outside every source. */
  outsideStrangers: { person: string; embedding: Float32Array | null }[];
  thresholds: number[];
  /** Gallery sizes for the rule's re-derivation (all identities is always one). */
  sizes: number[];
  /** Share of strangers the rule may name (1 %). */
  strangerRate: number;
  /**
   * Runner-up margins to measure: beyond the size-adjusted threshold and up to max_distance (1.0),
   * a probe is also named when the next identity is at least this much farther.
   */
  margins?: number[];
}

type Group = 'pins' | 'cfp frontal' | 'cfp profile' | 'lfw leave-one-out' | 'one-photo politicians (LFW photos vs portrait)' | 'strangers: LFW' | 'strangers: Congress portraits' | 'strangers: outside';

interface Probe {
  group: Group;
  person: string;
  /** The identity (display name) the probe is of; null for a stranger. */
  expected: string | null;
  /** Nearest identities, nearest first (top TOP_K): name and distance. */
  nearest: { name: string; distance: number }[];
  half: 'tune' | 'held-out';
}

const TOP_K = 60;

export interface RatesAt {
  threshold: number;
  probes: number;
  named_right: number;
  named_wrong: number;
  /** For strangers: named at all. */
  named: number;
}

export interface CelebritiesOpenSetResult {
  gallery: { identities: number; vectors: number };
  groups: Record<string, { probes: number; no_face: number; at_rule: RatesAt; at: RatesAt[] }>;
  rule: { threshold_at_full: number; slope_in_use: number };
  rederived: {
    target_stranger_rate: number;
    tune: { size: number; threshold: number }[];
    slope: number;
    held_out_at_fitted_rule: Record<string, RatesAt>;
    held_out_at_rule_in_use: Record<string, RatesAt>;
  };
  portraits: { people: number; probes: number; at: RatesAt[]; at_rule?: RatesAt };
  /** The size rule with the runner-up margin added, per margin and group (all probes, then halves). */
  with_margin: { margin: number; groups: Record<string, RatesAt>; tune: Record<string, RatesAt>; held_out: Record<string, RatesAt> }[];
}

const half = (name: string): 'tune' | 'held-out' => (createHash('sha256').update(name).digest()[0]! & 1 ? 'held-out' : 'tune');

/** Flat vectors of a gallery for search: dot products of unit vectors give the Euclidean distance. */
class FlatGallery {
  readonly data: Float32Array;
  readonly owner: number[];
  readonly dim: number;
  constructor(readonly identities: readonly CelebrityIdentity[]) {
    this.dim = identities.find((i) => i.vectorsOf.length)?.vectorsOf[0]!.length ?? 0;
    const count = identities.reduce((n, i) => n + i.vectorsOf.length, 0);
    this.data = new Float32Array(count * this.dim);
    this.owner = [];
    let at = 0;
    identities.forEach((identity, k) =>
      identity.vectorsOf.forEach((v) => {
        this.data.set(v, at * this.dim);
        this.owner.push(k);
        at++;
      }),
    );
  }

  /** The `k` nearest identities of a unit vector, each at its nearest sample. */
  nearest(q: Float32Array, k: number): { name: string; distance: number }[] {
    const best = new Float32Array(this.identities.length).fill(-2);
    const d = this.dim;
    for (let s = 0, base = 0; s < this.owner.length; s++, base += d) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += q[j]! * this.data[base + j]!;
      const o = this.owner[s]!;
      if (dot > best[o]!) best[o] = dot;
    }
    const order = Array.from(best.keys()).sort((a, b) => best[b]! - best[a]!).slice(0, k);
    return order.map((i) => ({ name: this.identities[i]!.name, distance: Math.sqrt(Math.max(0, 2 - 2 * best[i]!)) }));
  }
}

function rates(probes: readonly Probe[], threshold: number, keep: (name: string) => boolean = () => true, accept?: (p: Probe) => boolean): RatesAt {
  let right = 0;
  let wrong = 0;
  let named = 0;
  for (const p of probes) {
    const n = p.nearest.find((x) => keep(x.name));
    if (!n || !(accept ? accept(p) : n.distance <= threshold)) continue;
    named++;
    if (p.expected === n.name) right++;
    else wrong++;
  }
  const total = Math.max(1, probes.length);
  return { threshold: round(threshold), probes: probes.length, named_right: round(right / total), named_wrong: round(wrong / total), named: round(named / total) };
}

const round = (x: number) => Math.round(x * 10000) / 10000;
const isStranger = (g: Group) => g.startsWith('strangers');

export function runCelebritiesOpenSet(o: CelebritiesOpenSetOptions, out: (line: string) => void): CelebritiesOpenSetResult {
  const build = (holdOut: Set<string>) => buildCelebrities({ records: o.records, embeddings: o.embeddings, perPerson: o.perPerson, coverRadius: o.coverRadius, curated: o.curated, lfwAliases: o.lfwAliases, holdOut });
  const key = (r: { source: string; id: string }) => `${r.source}:${r.id}`;
  const identityOf = (identities: readonly CelebrityIdentity[]) => new Map(identities.flatMap((i) => i.members.map((m) => [key(m), i] as const)));
  const full = identityOf(build(new Set()).identities);
  const alone = (r: SourceRecord) => full.get(key(r))?.members.length === 1;
  const emb = (r: SourceRecord, file: string) => o.embeddings(r.source).get(file) ?? null;

  // Strangers: people in one source only, held out of the gallery entirely.
  const lfwStrangers = evenly(o.records.filter((r) => r.source === 'lfw' && r.photos.length === 1 && alone(r) && emb(r, r.photos[0]!.file)), o.strangers);
  const portraitStrangers = evenly(o.records.filter((r) => r.source === 'congress' && r.photos.length === 1 && alone(r) && emb(r, r.photos[0]!.file)), o.portraitStrangers);
  const holdOut = new Set<string>();
  for (const r of [...lfwStrangers, ...portraitStrangers]) for (const p of r.photos) holdOut.add(`${r.source}:${p.file}`);
  // LFW leave-one-out: the last photo of each LFW person with two or more.
  const lfwLoo = o.records.filter((r) => r.source === 'lfw' && r.photos.length >= 2);
  for (const r of lfwLoo) holdOut.add(`lfw:${r.photos[r.photos.length - 1]!.file}`);
  const built = build(holdOut);
  const gallery = new FlatGallery(built.identities);
  const inGallery = identityOf(built.identities);
  out(`celebrities open set: gallery ${built.identities.length} identities, ${gallery.owner.length} vectors (LFW's last photos and ${lfwStrangers.length + portraitStrangers.length} stranger people held out)`);

  const probes: Probe[] = [];
  const noFace = new Map<Group, number>();
  const add = (group: Group, person: string, expected: string | null, e: Float32Array | null) => {
    if (!e) {
      noFace.set(group, (noFace.get(group) ?? 0) + 1);
      return;
    }
    probes.push({ group, person, expected, nearest: gallery.nearest(e, TOP_K), half: half(expected ?? person) });
  };
  for (const r of o.records) {
    const identity = inGallery.get(key(r));
    for (const p of r.photos) {
      if (r.source === 'pins' && p.role === 'frontal-probe' && identity) add('pins', r.name, identity.name, emb(r, p.file));
      if (r.source === 'cfp' && p.role === 'frontal-probe' && identity) add('cfp frontal', r.name, identity.name, emb(r, p.file));
      if (r.source === 'cfp' && p.role === 'profile-probe' && identity) add('cfp profile', r.name, identity.name, emb(r, p.file));
    }
  }
  for (const r of lfwLoo) {
    const identity = inGallery.get(key(r));
    if (identity) add('lfw leave-one-out', r.name, identity.name, emb(r, r.photos[r.photos.length - 1]!.file));
  }
  for (const r of lfwStrangers) add('strangers: LFW', r.name, null, emb(r, r.photos[0]!.file));
  for (const r of portraitStrangers) add('strangers: Congress portraits', r.name, null, emb(r, r.photos[0]!.file));
  for (const s of o.outsideStrangers) add('strangers: outside', s.person, null, s.embedding);

  const groups = [...new Set(probes.map((p) => p.group))];
  const ruleT = sizeAdjustedMaxDistance(1.0, built.identities.length);
  const result: CelebritiesOpenSetResult = {
    gallery: { identities: built.identities.length, vectors: gallery.owner.length },
    groups: {},
    rule: { threshold_at_full: round(ruleT), slope_in_use: round((1 - ruleT) / Math.log10(built.identities.length / SIZE_FREE_IDENTITIES)) },
    rederived: { target_stranger_rate: o.strangerRate, tune: [], slope: 0, held_out_at_fitted_rule: {}, held_out_at_rule_in_use: {} },
    portraits: { people: 0, probes: 0, at: [] },
    with_margin: [],
  };
  const row = (g: string, r: RatesAt, stranger: boolean) => (stranger ? `| ${g} | ${r.probes} | — | — | ${pct(r.named)} |` : `| ${g} | ${r.probes} | ${pct(r.named_right)} | ${pct(r.named_wrong)} | — |`);
  out('');
  out(`At the rule in use (max_distance 1.0 for ${built.identities.length} identities → ${ruleT.toFixed(3)}):`);
  out('| probes | count | named right | named wrong | strangers named |');
  out('|---|---|---|---|---|');
  for (const g of groups) {
    const ps = probes.filter((p) => p.group === g);
    const atRule = rates(ps, ruleT);
    result.groups[g] = { probes: ps.length, no_face: noFace.get(g) ?? 0, at_rule: atRule, at: o.thresholds.map((t) => rates(ps, t)) };
    out(row(g, atRule, isStranger(g)));
  }
  out('');
  out(`By threshold (named right / wrong; strangers: named), ${groups.length} groups:`);
  out(`| max_distance | ${groups.join(' | ')} |`);
  out(`|---|${groups.map(() => '---').join('|')}|`);
  for (const [i, t] of o.thresholds.entries())
    out(`| ${t.toFixed(2)} | ${groups.map((g) => (isStranger(g) ? pct(result.groups[g]!.at[i]!.named) : `${pct(result.groups[g]!.at[i]!.named_right)} / ${pct(result.groups[g]!.at[i]!.named_wrong)}`)).join(' | ')} |`);

  // The rule re-derived on the tune half, judged on the held-out half.
  const names = built.identities.map((i) => i.name);
  const sizes = [...new Set([...o.sizes.filter((s) => s < names.length), names.length])];
  const subset = (n: number) => new Set(evenly(names, n));
  const tuneStrangers = probes.filter((p) => isStranger(p.group) && p.half === 'tune');
  for (const n of sizes) {
    const keep = subset(n);
    const d = tuneStrangers.map((p) => p.nearest.find((x) => keep.has(x.name))?.distance ?? Infinity).sort((a, b) => a - b);
    const allowed = Math.floor(o.strangerRate * d.length);
    result.rederived.tune.push({ size: n, threshold: round(Math.min(allowed < d.length ? d[allowed]! - 1e-6 : 2, 2)) });
  }
  const fit = result.rederived.tune.filter((x) => x.size > SIZE_FREE_IDENTITIES);
  // Least squares through (1000, 1.0): t = 1 − slope·log10(N/1000).
  const num = fit.reduce((s, x) => s + (1 - x.threshold) * Math.log10(x.size / SIZE_FREE_IDENTITIES), 0);
  const den = fit.reduce((s, x) => s + Math.log10(x.size / SIZE_FREE_IDENTITIES) ** 2, 0);
  result.rederived.slope = round(den > 0 ? num / den : 0);
  const fitted = 1 - result.rederived.slope * Math.log10(Math.max(1, names.length / SIZE_FREE_IDENTITIES));
  for (const g of groups) {
    const ps = probes.filter((p) => p.group === g && p.half === 'held-out');
    result.rederived.held_out_at_fitted_rule[g] = rates(ps, fitted);
    result.rederived.held_out_at_rule_in_use[g] = rates(ps, ruleT);
  }
  out('');
  out(`Gallery-size rule re-derived on the tune half (largest threshold naming ≤ ${pct(o.strangerRate)} of its ${tuneStrangers.length} strangers): ${result.rederived.tune.map((x) => `${x.size} → ${x.threshold.toFixed(3)}`).join(', ')}; slope ${result.rederived.slope.toFixed(3)} per tenfold beyond ${SIZE_FREE_IDENTITIES} (in use: ${result.rule.slope_in_use.toFixed(3)})`);
  out(`Held-out half, at the fitted rule (${fitted.toFixed(3)}) and at the rule in use (${ruleT.toFixed(3)}):`);
  out('| probes (held-out half) | count | fitted: right / wrong / strangers named | in use: right / wrong / strangers named |');
  out('|---|---|---|---|');
  for (const g of groups) {
    const a = result.rederived.held_out_at_fitted_rule[g]!;
    const b = result.rederived.held_out_at_rule_in_use[g]!;
    const cell = (r: RatesAt) => (isStranger(g) ? `— / — / ${pct(r.named)}` : `${pct(r.named_right)} / ${pct(r.named_wrong)} / —`);
    out(`| ${g} | ${a.probes} | ${cell(a)} | ${cell(b)} |`);
  }

  // The runner-up margin on top of the size rule: between the size-adjusted threshold and the
  // max_distance asked for, a probe whose next identity is clearly farther resembles one person,
  // not merely one of many (the many-chances effect the size rule guards against).
  if (o.margins && o.margins.length > 0) {
    const withMargin = (m: number) => (p: Probe) => {
      const [a, b] = p.nearest;
      return !!a && (a.distance <= ruleT || (a.distance <= 1.0 && (b ? b.distance - a.distance : Infinity) >= m));
    };
    out('');
    out(`The size rule (${ruleT.toFixed(3)}) plus a runner-up margin up to max_distance 1.0 — all probes, right / wrong (strangers: named):`);
    out(`| margin | ${groups.join(' | ')} |`);
    out(`|---|${groups.map(() => '---').join('|')}|`);
    const cell = (g: Group, r: RatesAt) => (isStranger(g) ? pct(r.named) : `${pct(r.named_right)} / ${pct(r.named_wrong)}`);
    for (const m of o.margins) {
      const accept = withMargin(m);
      const by = (half?: 'tune' | 'held-out') => Object.fromEntries(groups.map((g) => [g, rates(probes.filter((p) => p.group === g && (!half || p.half === half)), ruleT, undefined, accept)]));
      const entry = { margin: m, groups: by(), tune: by('tune'), held_out: by('held-out') };
      result.with_margin.push(entry);
      out(`| ${m.toFixed(2)} | ${groups.map((g) => cell(g, entry.groups[g]!)).join(' | ')} |`);
    }
    out('');
    out('Same, by half (tune | held-out):');
    out(`| margin | ${groups.join(' | ')} |`);
    out(`|---|${groups.map(() => '---').join('|')}|`);
    out(`| none | ${groups.map((g) => `${cell(g, rates(probes.filter((p) => p.group === g && p.half === 'tune'), ruleT))} \\| ${cell(g, rates(probes.filter((p) => p.group === g && p.half === 'held-out'), ruleT))}`).join(' | ')} |`);
    for (const e of result.with_margin) out(`| ${e.margin.toFixed(2)} | ${groups.map((g) => `${cell(g, e.tune[g]!)} \\| ${cell(g, e.held_out[g]!)}`).join(' | ')} |`);
  }

  // One-photo politicians: LFW people also in Congress or the Bundestag, enrolled from the portrait alone.
  const politicians = [...full.values()].filter((i, k, all) => all.indexOf(i) === k && i.members.some((m) => m.source === 'lfw') && i.members.some((m) => m.source === 'congress' || m.source === 'bundestag'));
  if (politicians.length > 0) {
    const portraitOnly = new Set(holdOut);
    const lfwOf = new Map<string, SourceRecord>();
    for (const r of o.records) if (r.source === 'lfw') lfwOf.set(key(r), r);
    for (const i of politicians) for (const m of i.members) if (m.source === 'lfw') for (const p of lfwOf.get(key(m))!.photos) portraitOnly.add(`lfw:${p.file}`);
    const pg = build(portraitOnly);
    const flat = new FlatGallery(pg.identities);
    const byMember = identityOf(pg.identities);
    const pp: Probe[] = [];
    for (const i of politicians)
      for (const m of i.members.filter((x) => x.source === 'lfw')) {
        const r = lfwOf.get(key(m))!;
        const expected = i.members.map((x) => byMember.get(key(x))).find(Boolean)?.name;
        if (!expected) continue;
        for (const p of r.photos.slice(0, 3)) {
          const e = emb(r, p.file);
          if (e) pp.push({ group: 'one-photo politicians (LFW photos vs portrait)', person: r.name, expected, nearest: flat.nearest(e, 1), half: 'tune' });
        }
      }
    const t = sizeAdjustedMaxDistance(1.0, pg.identities.length);
    result.portraits = { people: politicians.length, probes: pp.length, at: o.thresholds.map((x) => rates(pp, x)), at_rule: rates(pp, t) };
    out('');
    out(`One-photo politicians: ${politicians.length} people of LFW also in Congress/Bundestag, enrolled from the official portrait only, ${pp.length} LFW photos (≤ 3 each) as probes:`);
    out(`| max_distance | ${[...o.thresholds.map((x) => x.toFixed(2)), `rule (${t.toFixed(3)})`].join(' | ')} |`);
    out(`|---|${[...o.thresholds, t].map(() => '---').join('|')}|`);
    out(`| named right / wrong | ${[...o.thresholds, t].map((x) => rates(pp, x)).map((r) => `${pct(r.named_right)} / ${pct(r.named_wrong)}`).join(' | ')} |`);
  }
  return result;
}
