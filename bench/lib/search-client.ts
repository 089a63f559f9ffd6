/** The search API as bench:search uses it, over HTTP against a spawned server (bench/lib/server.ts). */
import { fromBase64 } from '../../src/embeddings/core/vectors';
import type { VectorTable } from './retrieval-metrics';
import { call } from './server';

export interface Hit {
  documentId: string;
  score: number;
}
export interface SearchReply {
  plan: { vector?: string };
  results: Hit[];
}

/** Raised when the server does not offer what the bench needs (the bench exits non-zero). */
export class ApiMissing extends Error {}

const ok = (status: number) => status >= 200 && status < 300;
const brief = (body: unknown) => JSON.stringify(body).slice(0, 400);

export class SearchClient {
  constructor(private readonly port: number) {}

  async createCollection(name: string, body: Record<string, unknown> = {}): Promise<void> {
    const r = await call(this.port, 'POST', '/api/v1/collections', { name, ...body });
    if (r.status === 404) throw new ApiMissing(`POST /api/v1/collections answered 404: the search API is missing (${brief(r.body)})`);
    if (!ok(r.status)) throw new Error(`creating collection ${name} answered ${r.status}: ${brief(r.body)}`);
  }

  /** The collection's counts, or null when it does not exist. */
  async existing(name: string): Promise<{ documents: number; chunks: number } | null> {
    const r = await call(this.port, 'GET', `/api/v1/collections/${name}`);
    return r.status === 404 ? null : this.collection(name);
  }

  async collection(name: string): Promise<{ documents: number; chunks: number }> {
    const r = await call(this.port, 'GET', `/api/v1/collections/${name}`);
    if (!ok(r.status)) throw new Error(`GET collection ${name} answered ${r.status}: ${brief(r.body)}`);
    return r.body as { documents: number; chunks: number };
  }

  /** Bulk upsert in batches of `batch` documents, `concurrency` requests at a time; returns the chunks the server reports written. */
  async upsert(name: string, docs: { id: string; text: string; metadata: object }[], batch: number, concurrency = 1, progress?: (done: number) => void): Promise<number> {
    let next = 0;
    let chunks = 0;
    let done = 0;
    const worker = async () => {
      while (next < docs.length) {
        const slice = docs.slice(next, (next += batch));
        const r = await call(this.port, 'POST', `/api/v1/collections/${name}/documents`, { documents: slice });
        if (!ok(r.status)) throw new Error(`upsert of ${slice.length} documents answered ${r.status}: ${brief(r.body)}`);
        chunks += (r.body as { chunks: number }).chunks;
        progress?.((done += slice.length));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return chunks;
  }

  async search(name: string, body: Record<string, unknown>): Promise<SearchReply> {
    const r = await call(this.port, 'POST', `/api/v1/collections/${name}/search`, body);
    if (!ok(r.status)) throw new Error(`search ${brief(body)} answered ${r.status}: ${brief(r.body)}`);
    return r.body as SearchReply;
  }

  /** Vectors from POST /v1/embeddings (base64), as one row-major table. */
  async embed(texts: string[], inputType: 'query' | 'passage', model = 'llmos-lexical', batch = 2048): Promise<VectorTable> {
    let data = new Float32Array(0);
    let dim = 0;
    for (let i = 0; i < texts.length; i += batch) {
      const input = texts.slice(i, i + batch);
      const r = await call(this.port, 'POST', '/v1/embeddings', { model, input, encoding_format: 'base64', input_type: inputType });
      if (r.status === 404) throw new ApiMissing(`POST /v1/embeddings answered 404: ${brief(r.body)}`);
      if (!ok(r.status)) throw new Error(`/v1/embeddings answered ${r.status}: ${brief(r.body)}`);
      const rows = (r.body as { data: { embedding: string }[] }).data.map((d) => fromBase64(d.embedding));
      if (dim === 0) {
        dim = rows[0].length;
        data = new Float32Array(texts.length * dim);
      }
      rows.forEach((v, j) => data.set(v, (i + j) * dim));
    }
    return { dim, data, count: texts.length };
  }
}
