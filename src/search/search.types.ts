/** Shapes shared by the search services and repositories. */

export type SearchMode = 'vector' | 'keyword' | 'hybrid';

export interface Collection {
  id: string;
  projectId: string;
  name: string;
  description: string;
  model: string;
  dim: number;
  /** the `dimensions` asked for at creation (Matryoshka truncation), null for the model's own */
  requestedDim: number | null;
  chunkTokens: number;
  chunkOverlap: number;
  status: 'ready' | 'reindexing';
  jobId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CollectionStats {
  documents: number;
  chunks: number;
}

export interface DocumentInput {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
}

export interface StoredDocument extends DocumentInput {
  contentHash: string;
  chunks: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewChunk {
  documentId: string;
  seq: number;
  start: number;
  end: number;
  text: string;
  terms: string;
  metadata: Record<string, unknown>;
  embedding: Float32Array;
}

export interface ChunkHit {
  chunkId: string;
  documentId: string;
  seq: number;
  start: number;
  end: number;
  text: string;
  metadata: Record<string, unknown>;
  /** cosine similarity (vector) or ts_rank_cd (keyword) */
  score: number;
}

/** How the vector candidates were found: the HNSW index, the index with iterative scans (filtered), or an exact scan. */
export type VectorPlan = 'hnsw' | 'hnsw-iterative' | 'exact' | 'hnsw-iterative+exact';
