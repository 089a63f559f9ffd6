import { Injectable } from '@nestjs/common';
import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import { AppConfig, settingNumber } from '../config/app-config';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { CollectionsService } from './collections.service';
import { DocumentsRepository, DocumentWrite } from './documents.repository';
import { contentHash, prepareChunks } from './ingest/prepare';
import type { Collection, DocumentInput, NewChunk } from './search.types';

/** Texts per embedding call while ingesting. */
const EMBED_BATCH = 64;

export interface UpsertResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** chunks written (re-chunked documents only) */
  chunks: number;
}

/**
 * Documents: upserted by id, singly or thousands at once. Everything that can fail (limits,
 * chunking, embedding) happens before the one transaction of a batch, so a refused batch
 * leaves the collection as it was; re-sending a document with the same text and metadata
 * changes nothing, a metadata-only change re-embeds nothing.
 */
@Injectable()
export class DocumentsService {
  private readonly maxPerRequest: number;

  constructor(
    private readonly collections: CollectionsService,
    private readonly repo: DocumentsRepository,
    private readonly embeddings: EmbeddingsService,
    config: AppConfig,
  ) {
    this.maxPerRequest = settingNumber(config, 'SEARCH_MAX_DOCUMENTS_PER_REQUEST');
  }

  async upsert(project: string, name: string, docs: DocumentInput[]): Promise<UpsertResult> {
    if (docs.length === 0) throw new BadInputError('documents is empty: send at least one document', { field: 'documents' });
    if (docs.length > this.maxPerRequest) throw new BadInputError(`${docs.length} documents in one request; the limit is ${this.maxPerRequest} (SEARCH_MAX_DOCUMENTS_PER_REQUEST): split the batch`, { field: 'documents', limit: this.maxPerRequest });
    const seen = new Set<string>();
    docs.forEach((d, i) => {
      if (seen.has(d.id)) throw new BadInputError(`documents[${i}].id ${d.id} appears twice in this batch`, { field: `documents.${i}.id` });
      seen.add(d.id);
    });
    const c = await this.collections.usable(project, name);
    const existing = await this.repo.existing(c, docs.map((d) => d.id));
    const writes: DocumentWrite[] = [];
    const unchanged: string[] = [];
    const toEmbed: { doc: DocumentInput; chunk: ReturnType<typeof prepareChunks>[number]; write: DocumentWrite }[] = [];
    for (const d of docs) {
      const metadata = d.metadata ?? {};
      const hash = contentHash(d.text, metadata);
      const old = existing.get(d.id);
      if (old?.contentHash === hash) {
        unchanged.push(d.id);
        continue;
      }
      const write: DocumentWrite = { id: d.id, text: d.text, metadata, contentHash: hash };
      if (old?.text !== d.text) {
        write.chunks = [];
        for (const chunk of prepareChunks(d.text, { maxTokens: c.chunkTokens, overlapTokens: c.chunkOverlap })) toEmbed.push({ doc: d, chunk, write });
      }
      writes.push(write);
    }
    await this.embed(c, project, toEmbed);
    if (writes.length) {
      const res = await this.repo.writeBatch(c, writes);
      if (res.outcome === 'gone') throw new NotFoundError(`Collection ${name} was deleted during the write`);
      if (res.outcome !== 'written') throw new ConflictError(`Collection ${name} started re-indexing during the write; nothing was written: send the batch again when it has finished`);
      const before = res.before;
      const created = writes.filter((w) => !before.has(w.id)).map((w) => w.id);
      const updated = writes.filter((w) => before.has(w.id)).map((w) => w.id);
      return { created, updated, unchanged, chunks: toEmbed.length };
    }
    return { created: [], updated: [], unchanged, chunks: 0 };
  }

  async list(project: string, name: string, limit: number, offset: number) {
    const c = await this.collections.resolve(project, name);
    return { ...(await this.repo.list(c, limit, offset)), limit, offset };
  }

  async get(project: string, name: string, id: string) {
    const c = await this.collections.resolve(project, name);
    const d = await this.repo.get(c, id);
    if (!d) throw this.notFound(name, id);
    return { ...d, chunkSpans: await this.repo.chunksOf(c, id) };
  }

  /** PUT: the document with this id becomes exactly `body` (created if missing). */
  async put(project: string, name: string, id: string, body: { text: string; metadata?: Record<string, unknown> }) {
    await this.upsert(project, name, [{ id, text: body.text, metadata: body.metadata ?? {} }]);
    return this.get(project, name, id);
  }

  async remove(project: string, name: string, id: string): Promise<void> {
    const c = await this.collections.resolve(project, name);
    if (!(await this.repo.remove(c, id))) throw this.notFound(name, id);
  }

  private async embed(c: Collection, project: string, items: { doc: DocumentInput; chunk: ReturnType<typeof prepareChunks>[number]; write: DocumentWrite }[]): Promise<void> {
    for (let i = 0; i < items.length; i += EMBED_BATCH) {
      const part = items.slice(i, i + EMBED_BATCH);
      const out = await this.embeddings.embed(part.map((p) => p.chunk.text), { model: c.model, kind: 'passage', dimensions: c.requestedDim ?? undefined, project });
      this.collections.checkModel(c, out.dim);
      part.forEach((p, j) => {
        const chunk: NewChunk = { documentId: p.doc.id, seq: p.chunk.seq, start: p.chunk.start, end: p.chunk.end, text: p.chunk.text, terms: p.chunk.terms, metadata: p.write.metadata, embedding: out.vectors[j] };
        p.write.chunks!.push(chunk);
      });
    }
  }

  private notFound(name: string, id: string): NotFoundError {
    return new NotFoundError(`No document ${id} in collection ${name}`);
  }
}
