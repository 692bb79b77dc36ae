// Copying an installation's galleries and identity index (metadata, crops, embeddings) from the
// matcher's SQLite file into PostgreSQL (`facerec admin migrate-galleries`). Ids, times and order
// are kept, so the vector index (vectors*.db or Qdrant, keyed by sample id) still points at the
// same samples. Rows already there are left alone: running it again adds nothing and says so.
// Afterwards every source row is looked up in the target and compared (names, embeddings bit for
// bit, crops byte for byte); a difference fails the command.
import type { GalleryStore, IdentityRecord, SampleRecord } from './gallery-store.js';
import type { AppearanceRecord, IdentityIndexStore, IndexSampleRecord } from './identity-index.js';
import type { PostgresGalleryStore } from './postgres-gallery-store.js';
import type { PostgresIdentityIndex } from './postgres-identity-index.js';

/** What a copy found and did, per kind of row: in the source, added to the target, already there. */
export interface CopyCounts {
  source: number;
  added: number;
  present: number;
}

export interface MigrationReport {
  models: CopyCounts;
  identities: CopyCounts;
  samples: CopyCounts;
  indexIdentities: CopyCounts;
  indexSamples: CopyCounts;
  appearances: CopyCounts;
}

export class MigrationVerifyError extends Error {
  constructor(readonly differences: string[]) {
    super(`the copy differs from the source in ${differences.length} place(s): ${differences.slice(0, 5).join('; ')}${differences.length > 5 ? '; …' : ''}`);
    this.name = 'MigrationVerifyError';
  }
}

const PAGE = 1000;
/** More appearances than one identity can have: listAppearances wants a limit. */
const ALL = 2 ** 31 - 1;

export async function migrateGalleries(
  from: { galleries: GalleryStore; index: IdentityIndexStore },
  to: { galleries: PostgresGalleryStore; index: PostgresIdentityIndex },
  progress: (line: string) => void = () => undefined,
): Promise<MigrationReport> {
  const counts = () => ({ source: 0, added: 0, present: 0 });
  const report: MigrationReport = { models: counts(), identities: counts(), samples: counts(), indexIdentities: counts(), indexSamples: counts(), appearances: counts() };
  const tally = (c: CopyCounts, source: number, added: number) => {
    c.source += source;
    c.added += added;
    c.present += source - added;
  };

  // Galleries: one transaction per model, so a copy that stops half-way leaves whole models.
  for (const model of await from.galleries.listModels()) {
    const identities = await allIdentities(from.galleries, model.id);
    const samples = await from.galleries.listSamples({ modelId: model.id });
    const added = await to.galleries.insertMissing({ models: [model], identities, samples });
    tally(report.models, 1, added.models);
    tally(report.identities, identities.length, added.identities);
    tally(report.samples, samples.length, added.samples);
    progress(`model "${model.name}": ${identities.length} identities (${added.identities} copied), ${samples.length} samples (${added.samples} copied)`);
  }

  // The identity index, a page of identities per transaction.
  for (let offset = 0; ; offset += PAGE) {
    const page = await from.index.list({ limit: PAGE, offset });
    if (page.items.length === 0) break;
    const samples: IndexSampleRecord[] = [];
    const appearances: (AppearanceRecord & { identityId: string })[] = [];
    for (const identity of page.items) {
      samples.push(...(await from.index.listSamples(identity.id)));
      // Listed newest first; inserted oldest first, so that their order stays.
      appearances.push(...(await from.index.listAppearances(identity.id, ALL)).reverse().map((a) => ({ ...a, identityId: identity.id })));
    }
    const added = await to.index.insertMissing({ identities: page.items, samples, appearances });
    tally(report.indexIdentities, page.items.length, added.identities);
    tally(report.indexSamples, samples.length, added.samples);
    tally(report.appearances, appearances.length, added.appearances);
  }
  progress(
    `identity index: ${report.indexIdentities.source} identities (${report.indexIdentities.added} copied), ${report.indexSamples.source} samples (${report.indexSamples.added} copied), ${report.appearances.source} appearances (${report.appearances.added} copied)`,
  );
  return report;
}

/** Every source row found in the target, equal: names, owners, embeddings bit for bit, crops byte for byte. Throws MigrationVerifyError. */
export async function verifyMigration(from: { galleries: GalleryStore; index: IdentityIndexStore }, to: { galleries: GalleryStore; index: IdentityIndexStore }): Promise<void> {
  const differences: string[] = [];
  for (const model of await from.galleries.listModels()) {
    const there = await to.galleries.findModel(model.id);
    if (!there || there.id !== model.id) {
      differences.push(`model ${model.id} ("${model.name}") is missing`);
      continue;
    }
    if (there.name !== model.name || there.embeddingModel !== model.embeddingModel || (there.embeddingSha256 ?? '') !== (model.embeddingSha256 ?? '')) {
      differences.push(`model ${model.id} differs`);
    }
    const theirIdentities = new Map((await allIdentities(to.galleries, model.id)).map((i) => [i.id, i]));
    for (const identity of await allIdentities(from.galleries, model.id)) {
      const other = theirIdentities.get(identity.id);
      if (!other) differences.push(`identity ${identity.id} ("${identity.name}") of model "${model.name}" is missing`);
      else if (other.name !== identity.name || other.created !== identity.created || String(other.aliases) !== String(identity.aliases)) differences.push(`identity ${identity.id} differs`);
    }
    const theirSamples = new Map((await to.galleries.listSamples({ modelId: model.id })).map((s) => [s.id, s]));
    for (const sample of await from.galleries.listSamples({ modelId: model.id })) {
      const difference = sampleDifference(sample, theirSamples.get(sample.id));
      if (difference) differences.push(`sample ${sample.id} of model "${model.name}" ${difference}`);
    }
  }
  for (let offset = 0; ; offset += PAGE) {
    const page = await from.index.list({ limit: PAGE, offset });
    if (page.items.length === 0) break;
    for (const identity of page.items) {
      const other = await to.index.get(identity.id);
      if (!other) {
        differences.push(`indexed identity ${identity.id} is missing`);
        continue;
      }
      if (other.sampleCount !== identity.sampleCount || other.appearanceCount !== identity.appearanceCount || other.named?.name !== identity.named?.name) {
        differences.push(`indexed identity ${identity.id} differs (samples ${identity.sampleCount} → ${other.sampleCount}, appearances ${identity.appearanceCount} → ${other.appearanceCount})`);
      }
      const theirSamples = new Map((await to.index.listSamples(identity.id)).map((s) => [s.id, s]));
      for (const sample of await from.index.listSamples(identity.id)) {
        const difference = sampleDifference(sample, theirSamples.get(sample.id));
        if (difference) differences.push(`sample ${sample.id} of indexed identity ${identity.id} ${difference}`);
      }
    }
  }
  if (differences.length > 0) throw new MigrationVerifyError(differences);
}

async function allIdentities(store: GalleryStore, modelId: string): Promise<IdentityRecord[]> {
  const out: IdentityRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await store.listIdentities(modelId, { limit: PAGE, offset });
    out.push(...items);
    if (items.length < PAGE) return out;
  }
}

function sampleDifference(a: SampleRecord | IndexSampleRecord, b: SampleRecord | IndexSampleRecord | undefined): string | null {
  if (!b) return 'is missing';
  if (b.identityId !== a.identityId) return 'belongs to another identity';
  if (!bytesOf(a.embedding).equals(bytesOf(b.embedding))) return 'has another embedding';
  if (!a.crop.equals(b.crop)) return 'has another crop';
  return null;
}

function bytesOf(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
