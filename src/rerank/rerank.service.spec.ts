import { BadInputError, NotFoundError, UnavailableError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import type { InferencePool } from '../inference/inference-pool.service';
import type { Tokenizer, TokenizerService } from '../inference/tokenizer.service';
import { RerankService } from './rerank.service';

const CLS = 1;
const SEP = 2;
const X = 'x'.charCodeAt(0);

/** One token per character; pairs as [CLS] A [SEP] B [SEP] with types 0 / 1. */
function fakeTokenizer(): Tokenizer {
  const encode = (text: string) => Array.from(text, (c) => c.codePointAt(0)!);
  const call = (text: string, options: { text_pair: string }) => {
    const [a, b] = [encode(text), encode(options.text_pair)];
    const ids = [CLS, ...a, SEP, ...b, SEP];
    const types = [0, ...a.map(() => 0), 0, ...b.map(() => 1), 1];
    return { input_ids: { data: ids, dims: [1, ids.length] }, token_type_ids: { data: types, dims: [1, ids.length] } };
  };
  return Object.assign(call, { encode, decode: () => '', model_max_length: 16, pad_token_id: 0 }) as unknown as Tokenizer;
}

interface FakeModel {
  task: string;
  config?: Record<string, unknown>;
  state?: string;
}

function setup(models: Record<string, FakeModel>, env: Record<string, string> = {}) {
  const runs: number[] = [];
  const pool = {
    list: () => Object.keys(models).sort().map((id) => ({ id, task: models[id].task, source: 'store', state: models[id].state ?? 'ready' })),
    has: (id: string) => id in models,
    descriptor: (id: string) => ({ id, ...models[id], source: 'store', serving: { batching: { maxBatchSize: 2 } } }),
    status: (id: string) => ({ id, state: models[id].state ?? 'ready', inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({ name })) }),
    // logit = how many document tokens (type 1, unmasked) are "x"
    run: async (_id: string, feeds: Record<string, { data: BigInt64Array; dims: number[] }>) => {
      const [rows, width] = feeds.input_ids.dims;
      runs.push(rows);
      const logits = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < width; j++) {
          const k = r * width + j;
          if (feeds.attention_mask.data[k] === 1n && feeds.token_type_ids.data[k] === 1n && feeds.input_ids.data[k] === BigInt(X)) logits[r]++;
        }
      }
      return { logits: { data: logits, dims: [rows, 1] } };
    },
  } as unknown as InferencePool;
  const tokenizers = { get: async () => fakeTokenizer() } as unknown as TokenizerService;
  const config = { raw: { RERANK_DEFAULT_MODEL: 'auto', RERANK_MAX_DOCUMENTS: '5', ...env } } as unknown as AppConfig;
  return { service: new RerankService(pool, tokenizers, config), runs };
}

const RERANKER = { task: 'text-classification', config: { id2label: { '0': 'LABEL_0' } } };

describe('RerankService', () => {
  it('ranks by logit through batched pool runs and maps rows back to documents', async () => {
    const { service, runs } = setup({ ce: RERANKER });
    const docs = ['x', 'xxx', '', 'xx', 'xxxx'];
    const out = await service.rerank('q', docs);
    expect(out.model).toBe('ce');
    expect(out.results.map((r) => r.index)).toEqual([4, 1, 3, 0, 2]);
    expect(out.results[0]).toEqual({ index: 4, logit: 4, score: 1 / (1 + Math.exp(-4)) });
    expect(runs).toEqual([2, 2, 1]); // maxBatchSize 2
    expect(out.tokens).toBe(docs.reduce((n, d) => n + d.length + 4, 0)); // [CLS] q [SEP] d [SEP]
    expect((await service.rerank('q', docs, { topN: 2 })).results.map((r) => r.index)).toEqual([4, 1]);
  });

  it('truncates long documents to the tokenizer max length', async () => {
    const { service } = setup({ ce: RERANKER });
    const out = await service.rerank('q', ['x'.repeat(100), 'xx']);
    expect(out.truncated).toBe(1);
    expect(out.results[0]).toMatchObject({ index: 0, logit: 16 - 4 }); // 16 tokens minus [CLS] q [SEP] [SEP]
    expect(out.tokens).toBe(16 + 6);
  });

  it('refuses unknown models naming the rerankers, and models that are not rerankers', async () => {
    const { service } = setup({ ce: RERANKER, gpt: { task: 'text-generation' }, sentiment: { task: 'text-classification', config: { id2label: { '0': 'NEG', '1': 'POS' } } } });
    await expect(service.rerank('q', ['a'], { model: 'nope' })).rejects.toThrow(new NotFoundError('The model `nope` does not exist; installed rerankers: ce'));
    await expect(service.rerank('q', ['a'], { model: 'gpt' })).rejects.toThrow(BadInputError);
    await expect(service.rerank('q', ['a'], { model: 'sentiment' })).rejects.toThrow(/is a text-classification model, not a reranker; installed rerankers: ce/);
    await expect(service.rerank('q', ['a'], { topN: 0 })).rejects.toThrow(/topN must be an integer of at least 1/);
  });

  it('says when no reranker is installed, and tells search whether one is available', async () => {
    const none = setup({ gpt: { task: 'text-generation' } }).service;
    expect(none.available()).toBe(false);
    await expect(none.rerank('q', ['a'])).rejects.toThrow(UnavailableError);
    const loading = setup({ ce: { ...RERANKER, state: 'loading' }, rr: { task: 'rerank' } }).service;
    expect(loading.rerankers()).toEqual(['ce', 'rr']);
    expect(loading.available()).toBe(true); // auto prefers the loaded one
    expect(loading.available('ce')).toBe(false);
    expect(loading.available('gpt')).toBe(false);
    expect(setup({ ce: RERANKER }, { RERANK_DEFAULT_MODEL: 'other' }).service.available()).toBe(false);
  });

  it('answers /v1/rerank in the Jina / Cohere shape', async () => {
    const { service } = setup({ ce: RERANKER });
    const res = await service.respond({ model: 'ce', query: 'q', documents: ['a', { text: 'xx' }], top_n: 1, return_documents: true });
    expect(res).toEqual({ id: expect.stringMatching(/^rerank-/), model: 'ce', results: [{ index: 1, relevance_score: 1 / (1 + Math.exp(-2)), document: { text: 'xx' } }], usage: { total_tokens: 11 } });
    expect((await service.respond({ query: 'q', documents: ['a'] })).results[0]).toEqual({ index: 0, relevance_score: 0.5 });
    await expect(service.respond({ query: 'q', documents: ['a', 'b', 'c', 'd', 'e', 'f'] })).rejects.toThrow(/at most 5 per request/);
  });
});
