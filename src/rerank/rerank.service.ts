import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BadInputError, NotFoundError, UnavailableError } from '../common/errors';
import { AppConfig, settingNumber } from '../config/app-config';
import { InferencePool } from '../inference/inference-pool.service';
import { makeTensorLike } from '../inference/runtime/ort';
import { Tokenizer, TokenizerService } from '../inference/tokenizer.service';
import { batchPairs, encodePair, learnPairTemplate, PairBatch, PairTemplate } from './core/pairs';
import { isReranker, maxPairLength } from './core/rerankers';
import { parseRerankBody, RerankBody } from './core/request';
import { rankByLogit, RankedDocument } from './core/scores';

export interface RerankOptions {
  /** an installed reranker; default RERANK_DEFAULT_MODEL (auto: the first loaded one) */
  model?: string;
  /** keep only the best n (>= 1) */
  topN?: number;
  signal?: AbortSignal;
}

export interface RerankResult {
  model: string;
  /** best first; `score` = sigmoid(logit), in (0, 1) */
  results: RankedDocument[];
  /** tokens of all pairs, special tokens included, after truncation */
  tokens: number;
  /** documents cut to fit the model's pair length */
  truncated: number;
}

export interface RerankResponse {
  id: string;
  model: string;
  results: { index: number; relevance_score: number; document?: { text: string } }[];
  usage: { total_tokens: number };
}

/** Texts whose pair encoding teaches the template (any two words that tokenize to something). */
const PROBE = ['query', 'document'] as const;

/**
 * Scores (query, document) pairs with an installed cross-encoder (bge-reranker,
 * ms-marco MiniLM, ...) through the shared pool: the model's tokenizer encodes each pair,
 * batches of similar length run as one pool request each, and documents come back by
 * descending logit. Search calls `rerank`; `/v1/rerank` goes through `respond`.
 */
@Injectable()
export class RerankService {
  private readonly templates = new Map<string, Promise<PairTemplate>>();

  constructor(
    private readonly pool: InferencePool,
    private readonly tokenizers: TokenizerService,
    private readonly config: AppConfig,
  ) {}

  /** Installed rerankers (loaded or not), by id. */
  rerankers(): string[] {
    return this.pool.list().filter((m) => m.source === 'store' && isReranker(this.pool.descriptor(m.id))).map((m) => m.id);
  }

  /** Whether `model` (or, without one, the default reranker) is installed and loaded. */
  available(model?: string): boolean {
    const id = model ?? this.defaultModel();
    return !!id && this.rerankers().includes(id) && this.pool.status(id).state === 'ready';
  }

  /** Ranks `documents` by relevance to `query`, best first. */
  async rerank(query: string, documents: string[], options: RerankOptions = {}): Promise<RerankResult> {
    const id = this.resolve(options.model);
    if (options.topN !== undefined && (!Number.isInteger(options.topN) || options.topN < 1)) throw new BadInputError(`topN must be an integer of at least 1, got ${options.topN}`, { param: 'top_n' });
    if (documents.length === 0) return { model: id, results: [], tokens: 0, truncated: 0 };
    const tokenizer = await this.tokenizers.get(id);
    const template = await this.template(id, tokenizer);
    const descriptor = this.pool.descriptor(id);
    const maxLength = maxPairLength(descriptor, tokenizer.model_max_length);
    const encode = (text: string) => tokenizer.encode(text, { add_special_tokens: false });
    const q = encode(query);
    const pairs = documents.map((d) => encodePair(template, q, encode(d), maxLength));
    const padId = [tokenizer.pad_token_id, descriptor.config?.pad_token_id, 0].find((v) => typeof v === 'number') as number;
    const logits = new Float64Array(documents.length);
    const batches = batchPairs(pairs, descriptor.serving.batching.maxBatchSize, padId);
    await Promise.all(batches.map((b) => this.score(id, b, logits, options.signal)));
    return {
      model: id,
      results: rankByLogit(logits, options.topN),
      tokens: pairs.reduce((n, p) => n + p.ids.length, 0),
      truncated: pairs.filter((p) => p.truncated).length,
    };
  }

  /** `POST /v1/rerank`: the Jina / Cohere request and response. */
  async respond(body: RerankBody, signal?: AbortSignal): Promise<RerankResponse> {
    const req = parseRerankBody(body, settingNumber(this.config, 'RERANK_MAX_DOCUMENTS'));
    const ranked = await this.rerank(req.query, req.documents, { model: req.model, topN: req.topN, signal });
    return {
      id: `rerank-${randomUUID()}`,
      model: ranked.model,
      results: ranked.results.map((r) => ({ index: r.index, relevance_score: r.score, ...(req.returnDocuments ? { document: { text: req.documents[r.index] } } : {}) })),
      usage: { total_tokens: ranked.tokens },
    };
  }

  private async score(id: string, b: PairBatch, logits: Float64Array, signal?: AbortSignal): Promise<void> {
    const dims = [b.rows.length, b.width];
    const names = new Set(this.pool.status(id).inputs.map((i) => i.name));
    const feeds: Record<string, ReturnType<typeof makeTensorLike>> = { input_ids: makeTensorLike('int64', b.ids, dims) };
    if (names.has('attention_mask')) feeds.attention_mask = makeTensorLike('int64', b.mask, dims);
    if (names.has('token_type_ids')) feeds.token_type_ids = makeTensorLike('int64', b.types, dims);
    const out = await this.pool.run(id, feeds, { transfer: true, signal });
    const tensor = out.logits ?? Object.values(out)[0];
    const perRow = tensor.dims.slice(1).reduce((a, n) => a * n, 1);
    if (tensor.dims[0] !== b.rows.length || perRow !== 1) {
      throw new UnavailableError(`Model ${id} returned logits of shape [${tensor.dims.join(', ')}] for ${b.rows.length} pairs; a reranker returns one logit per pair ([batch, 1], a text-classification export with num_labels 1)`);
    }
    b.rows.forEach((row, k) => (logits[row] = Number(tensor.data[k])));
  }

  private resolve(model?: string): string {
    const rerankers = this.rerankers();
    const listing = rerankers.length ? `installed rerankers: ${rerankers.join(', ')}` : 'no reranker is installed';
    if (model !== undefined) {
      if (rerankers.includes(model)) return model;
      if (this.pool.has(model) && this.pool.descriptor(model).source === 'store') {
        throw new BadInputError(`The model \`${model}\` is a ${this.pool.descriptor(model).task} model, not a reranker; ${listing}`, { param: 'model' });
      }
      throw new NotFoundError(`The model \`${model}\` does not exist; ${listing}`, { param: 'model' });
    }
    const id = this.defaultModel();
    if (id) return id;
    const wanted = this.config.raw.RERANK_DEFAULT_MODEL;
    if (wanted !== 'auto' && wanted !== '') throw new UnavailableError(`RERANK_DEFAULT_MODEL is ${wanted}, which is not an installed reranker; ${listing}`);
    throw new UnavailableError('No reranker is installed: add a cross-encoder to the model store (e.g. npm run models:pull -- Xenova/bge-reranker-base) or name one with "model"');
  }

  /** RERANK_DEFAULT_MODEL; auto = the first loaded reranker, else the first installed. */
  private defaultModel(): string | undefined {
    const wanted = this.config.raw.RERANK_DEFAULT_MODEL;
    const rerankers = this.rerankers();
    if (wanted && wanted !== 'auto') return rerankers.includes(wanted) ? wanted : undefined;
    return rerankers.find((id) => this.pool.status(id).state === 'ready') ?? rerankers[0];
  }

  private template(id: string, tokenizer: Tokenizer): Promise<PairTemplate> {
    let t = this.templates.get(id);
    if (!t) {
      t = (async () => {
        const enc = tokenizer(PROBE[0], { text_pair: PROBE[1], return_token_type_ids: true });
        const ids = Array.from(enc.input_ids.data, Number);
        const types = enc.token_type_ids ? Array.from(enc.token_type_ids.data, Number) : ids.map(() => 0);
        return learnPairTemplate({ ids, types }, tokenizer.encode(PROBE[0], { add_special_tokens: false }), tokenizer.encode(PROBE[1], { add_special_tokens: false }));
      })();
      t.catch(() => this.templates.delete(id));
      this.templates.set(id, t);
    }
    return t;
  }
}
