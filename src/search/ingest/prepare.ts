/**
 * What a document becomes before it is stored: a content hash (idempotent upserts), and
 * chunks with their offsets and full-text terms. Plain TypeScript.
 */
import { createHash } from 'node:crypto';
import { searchTerms, wordTokens } from '../../common/text/segment';
import { chunkText, ChunkOptions, ChunkSpan, Span } from '../chunking/chunker';

export interface PreparedChunk extends ChunkSpan {
  /** space-separated terms for to_tsvector('simple', ...) */
  terms: string;
}

/** Sentence-aware chunks; size counted in words (jieba words for Chinese). */
export const wordSpans = (text: string): Span[] => wordTokens(text).filter((t) => t.kind !== 'punct');

export function prepareChunks(text: string, o: ChunkOptions): PreparedChunk[] {
  return chunkText(text, wordSpans, o).map((c) => ({ ...c, terms: searchTerms(c.text, 'index').join(' ') }));
}

/** Query terms in the same form as indexed ones (jieba's plain cut for Chinese). */
export const queryTerms = (query: string): string => searchTerms(query, 'query').join(' ');

/** sha256 of the text and the metadata with keys sorted, so key order does not make a change. */
export function contentHash(text: string, metadata: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify([text, canonical(metadata)])).digest('hex');
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
