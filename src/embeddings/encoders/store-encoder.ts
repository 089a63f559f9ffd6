import { BadInputError, UnavailableError } from '../../common/errors';
import type { InferencePool } from '../../inference/inference-pool.service';
import type { TensorLike } from '../../inference/pool/batch-tensors';
import { makeTensorLike } from '../../inference/runtime/ort';
import type { Tokenizer, TokenizerService } from '../../inference/tokenizer.service';
import type { StoreEncoderConfig } from '../core/encoder-config';
import { l2Normalize, poolHidden, splitRows } from '../core/vectors';
import { EncodeOutput, Encoder, EncoderInfo, inSlices, RUN_ROWS } from './encoder';

/**
 * A Hugging Face feature-extraction model of the store: tokenize (cut to the model's max
 * length, keeping the closing special token), run through the pool, pool last_hidden_state
 * as configured (or take a 2-D sentence_embedding output as is), L2-normalize.
 */
export class StoreEncoder implements Encoder {
  readonly info: EncoderInfo;

  constructor(
    readonly id: string,
    private readonly cfg: StoreEncoderConfig,
    private readonly pool: InferencePool,
    private readonly tokenizers: TokenizerService,
    private readonly vocabSize?: number,
  ) {
    this.info = { id, dim: cfg.dim ?? 0, maxTokens: cfg.maxTokens, builtin: false, pooling: cfg.pooling, matryoshka: cfg.matryoshka, ...(cfg.prefixes ? { prefixes: cfg.prefixes } : {}) };
  }

  async embedTexts(texts: string[]): Promise<EncodeOutput> {
    this.ready();
    const tokenizer = await this.tokenizers.get(this.id);
    const closing = closingSpecial(tokenizer);
    const rows = texts.map((t) => tokenizer.encode(t));
    const truncated = rows.flatMap((r, i) => (r.length > this.cfg.maxTokens ? [i] : []));
    const max = this.cfg.maxTokens;
    const cut = rows.map((r) => (r.length <= max ? r : closing !== undefined && r[r.length - 1] === closing ? [...r.slice(0, max - 1), closing] : r.slice(0, max)));
    return { vectors: await this.run(cut), tokens: cut.reduce((s, r) => s + r.length, 0), truncated };
  }

  async embedTokens(ids: number[][]): Promise<EncodeOutput> {
    this.ready();
    ids.forEach((row, i) => {
      const bad = row.find((t) => !Number.isInteger(t) || t < 0 || (this.vocabSize !== undefined && t >= this.vocabSize));
      if (bad !== undefined) throw new BadInputError(`input[${i}] has token id ${bad}; ids of ${this.id} are integers in [0, ${this.vocabSize ?? 'vocab size'})`, { param: 'input' });
    });
    const truncated = ids.flatMap((r, i) => (r.length > this.cfg.maxTokens ? [i] : []));
    const cut = ids.map((r) => r.slice(0, this.cfg.maxTokens));
    return { vectors: await this.run(cut), tokens: cut.reduce((s, r) => s + r.length, 0), truncated };
  }

  private ready(): void {
    const s = this.pool.status(this.id);
    if (s.state === 'ready') return;
    const how = s.state === 'failed' ? `it failed to load (${s.error}); fix the model folder and POST /api/v1/models/${this.id}/load` : s.state === 'loading' ? 'it is still loading; retry shortly' : `an admin can load it with POST /api/v1/models/${this.id}/load`;
    throw new UnavailableError(`Embedding model ${this.id} is ${s.state}: ${how}`, { param: 'model' }, s.state === 'loading' ? 2 : undefined);
  }

  /** Rows sorted by length so each run pads little; vectors come back in input order. */
  private async run(rows: number[][]): Promise<Float32Array[]> {
    const order = rows.map((_, i) => i).sort((a, b) => rows[a].length - rows[b].length);
    const inputs = new Set(this.pool.status(this.id).inputs.map((i) => i.name));
    const sorted = await inSlices(order.map((i) => rows[i]), RUN_ROWS, async (slice) => {
      const width = Math.max(1, ...slice.map((r) => r.length));
      const n = slice.length * width;
      const ids = new BigInt64Array(n);
      const mask = new BigInt64Array(n);
      const pos = new BigInt64Array(n);
      slice.forEach((r, b) => r.forEach((t, j) => {
        ids[b * width + j] = BigInt(t);
        mask[b * width + j] = 1n;
        pos[b * width + j] = BigInt(j);
      }));
      const dims = [slice.length, width];
      const feeds: Record<string, TensorLike> = { input_ids: makeTensorLike('int64', ids, dims), attention_mask: makeTensorLike('int64', mask, dims) };
      if (inputs.has('token_type_ids')) feeds.token_type_ids = makeTensorLike('int64', new BigInt64Array(n), dims);
      if (inputs.has('position_ids')) feeds.position_ids = makeTensorLike('int64', pos, dims);
      const out = await this.pool.run(this.id, feeds, { transfer: true });
      const t = out.last_hidden_state ?? out.sentence_embedding ?? out.token_embeddings ?? Object.values(out)[0];
      const data = t.data as Float32Array;
      const vectors = t.dims.length === 2 ? splitRows(data, slice.length, t.dims[1]) : poolHidden(data, t.dims, slice.map((r) => r.length), this.cfg.pooling);
      return vectors.map(l2Normalize);
    });
    const out = new Array<Float32Array>(rows.length);
    order.forEach((i, k) => (out[i] = sorted[k]));
    if (out[0] && this.info.dim !== out[0].length) (this.info as { dim: number }).dim = out[0].length;
    return out;
  }
}

/** The special token the tokenizer appends ([SEP], </s>, EOS), if any: kept when a text is cut. */
function closingSpecial(tokenizer: Tokenizer): number | undefined {
  const plain = tokenizer.encode('x', { add_special_tokens: false });
  const full = tokenizer.encode('x');
  return full.length > plain.length && full[full.length - 1] !== plain[plain.length - 1] ? full[full.length - 1] : undefined;
}
