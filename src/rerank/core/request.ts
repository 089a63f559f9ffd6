import { BadInputError } from '../../common/errors';

/**
 * Reads a `/v1/rerank` body (the Jina / Cohere shape that vLLM and TEI also serve) into
 * plain values, refusing bad input with a message and the OpenAI `param` at fault.
 * Plain TypeScript.
 */

export interface RerankRequest {
  model?: string;
  query: string;
  documents: string[];
  topN?: number;
  returnDocuments: boolean;
}

export interface RerankBody {
  model?: unknown;
  query?: unknown;
  documents?: unknown;
  top_n?: unknown;
  return_documents?: unknown;
}

const bad = (param: string, message: string) => new BadInputError(message, { param });

function documentText(doc: unknown, i: number): string {
  if (typeof doc === 'string') return doc;
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && typeof (doc as { text?: unknown }).text === 'string') return (doc as { text: string }).text;
  throw bad(`documents.${i}`, `documents[${i}] must be a string or an object { "text": string }, got ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`);
}

export function parseRerankBody(body: RerankBody, maxDocuments: number): RerankRequest {
  const { model, query, documents, top_n: topN, return_documents: returnDocuments } = body;
  if (model !== undefined && model !== null && (typeof model !== 'string' || model.trim() === '')) throw bad('model', 'model must be the id of an installed reranker (GET /v1/models)');
  if (typeof query !== 'string') throw bad('query', `query must be a string, got ${query === undefined ? 'nothing' : typeof query}`);
  if (query.trim() === '') throw bad('query', 'query is empty: send the text to rank the documents against');
  if (!Array.isArray(documents)) throw bad('documents', 'documents must be an array of strings or of { "text": string } objects');
  if (documents.length === 0) throw bad('documents', 'documents is empty: send at least one document to rank');
  if (documents.length > maxDocuments) throw bad('documents', `documents has ${documents.length} entries; at most ${maxDocuments} per request (RERANK_MAX_DOCUMENTS)`);
  if (topN !== undefined && topN !== null && (typeof topN !== 'number' || !Number.isInteger(topN) || topN < 1)) {
    throw bad('top_n', `top_n must be an integer of at least 1, got ${JSON.stringify(topN)}`);
  }
  if (returnDocuments !== undefined && returnDocuments !== null && typeof returnDocuments !== 'boolean') throw bad('return_documents', 'return_documents must be true or false');
  return {
    model: typeof model === 'string' ? model : undefined,
    query,
    documents: documents.map(documentText),
    topN: typeof topN === 'number' ? topN : undefined,
    returnDocuments: returnDocuments === true,
  };
}
