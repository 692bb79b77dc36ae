// The pre-trained `celebrities` gallery: filled from the committed artefact (models/galleries/
// celebrities.fgal, built by `facerec celebrities build`) at the first start, and again whenever
// the artefact or the running embedder changes. Loaded in bulk: one store transaction, one vector
// upsert. An artefact made by another embedder is refused with both named; the gallery then stays
// out of matching rather than mixing vectors of two networks.
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { GalleryStore, SampleRecord } from '../../libs/gallery/gallery-store.js';
import { readGalleryArtefact } from '../../libs/gallery/artefact.js';
import type { Logger } from '../../libs/log/logger.js';
import type { VectorIndex } from '../../libs/vector/vector-index.js';
import { DEFAULT_MODEL, type Galleries } from './galleries.js';

const MARKER = /artefact sha256 ([0-9a-f]{64})/;
/** Vectors per upsert call: bounded requests for Qdrant, one pass for the embedded index. */
const UPSERT_BATCH = 2000;

export interface CelebritiesLoad {
  state: 'loaded' | 'current' | 'absent' | 'refused';
  people?: number;
  vectors?: number;
  seconds?: number;
}

export async function loadCelebrities(store: GalleryStore, index: VectorIndex, galleries: Galleries, artefactPath: string, log: Logger): Promise<CelebritiesLoad> {
  const model = await store.findModel(DEFAULT_MODEL);
  if (!model) throw new Error(`the "${DEFAULT_MODEL}" model does not exist (Galleries.init creates it)`);
  if (!existsSync(artefactPath)) {
    log.warn({ artefact: artefactPath }, 'no celebrities artefact: the celebrities gallery stays as it is (build one with `facerec celebrities build`)');
    return { state: 'absent' };
  }
  const started = performance.now();
  const artefact = readGalleryArtefact(artefactPath);
  const running = galleries.embedding;
  const stats = await store.modelStats(model.id);
  const current = MARKER.exec(model.description)?.[1] === artefact.sha256 && model.embeddingModel === running.name && model.embeddingSha256 === running.sha256 && stats.sampleCount > 0;
  galleries.setSources(model.id, artefact.header.sources ?? []);
  if (current) {
    galleries.setPrebuilt(model.id, undefined);
    return { state: 'current', people: stats.identityCount, vectors: stats.sampleCount };
  }
  const made = artefact.header.embedder;
  if (made.model !== running.name || made.sha256 !== running.sha256 || made.dimension !== running.dimension) {
    const reason = `the celebrities artefact ${artefactPath} was made by ${made.model} (sha256 ${made.sha256.slice(0, 12)}…), this installation runs ${running.name} (sha256 ${running.sha256.slice(0, 12)}…): rebuild it with \`facerec celebrities build\` under this embedder`;
    log.error({ artefact: artefactPath }, reason);
    // Vectors of the running embedder already there (from an earlier artefact) stay usable; others never are.
    galleries.setPrebuilt(model.id, model.embeddingModel === running.name && model.embeddingSha256 === running.sha256 ? undefined : reason);
    return { state: 'refused' };
  }

  const h = artefact.header;
  const created = new Date().toISOString();
  const identities = h.people.map((p) => ({ id: randomUUID(), name: p.name, aliases: p.aliases, category: p.category, country: p.country, sources: p.sources }));
  const samples: SampleRecord[] = identities.flatMap((identity, i) =>
    artefact.vectors[i]!.map((embedding) => ({ id: randomUUID(), identityId: identity.id, modelId: model.id, embedding, crop: Buffer.alloc(0), origin: `${DEFAULT_MODEL} artefact`, created })),
  );
  const description =
    `Pre-trained: ${h.version >= 2 ? h.source.dataset : `${h.source.people.toLocaleString('en')} public figures from ${h.source.dataset}`}; ${samples.length.toLocaleString('en')} vectors ` +
    `(up to ${h.perPerson || 'all'} per person) by ${made.model}. Read-only: create your own gallery and list both in a job's "models". ` +
    `(artefact sha256 ${artefact.sha256})`;
  await index.delete({ modelId: model.id });
  await store.replaceModelContents(model.id, { description, embedder: { model: running.name, sha256: running.sha256 }, identities, samples });
  for (let i = 0; i < samples.length; i += UPSERT_BATCH) {
    await index.upsert(samples.slice(i, i + UPSERT_BATCH).map((s) => ({ id: s.id, vector: s.embedding, payload: { modelId: model.id, identityId: s.identityId } })));
  }
  galleries.setPrebuilt(model.id, undefined);
  const seconds = +((performance.now() - started) / 1000).toFixed(2);
  log.info({ people: identities.length, vectors: samples.length, seconds, artefact: artefactPath }, 'celebrities gallery loaded');
  return { state: 'loaded', people: identities.length, vectors: samples.length, seconds };
}
