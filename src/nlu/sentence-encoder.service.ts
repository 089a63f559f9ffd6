import { Injectable } from '@nestjs/common';
import { UnavailableError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InferencePool } from '../inference/inference-pool.service';
import { makeTensorLike } from '../inference/runtime/ort';
import { TokenizerService } from '../inference/tokenizer.service';

const MAX_TOKENS = 128;
const CHUNK = 32;

/**
 * Sentence embeddings from an installed feature-extraction model (e.g. MiniLM pulled with
 * `npm run models:pull -- Xenova/paraphrase-multilingual-MiniLM-L12-v2`): attention-masked
 * mean of last_hidden_state, L2-normalized, as sentence-transformers does. The NLU intent
 * classifier takes them as extra features when NLU_ENCODER_MODEL allows (auto: the first
 * loaded feature-extraction model).
 */
@Injectable()
export class SentenceEncoderService {
  constructor(
    private readonly pool: InferencePool,
    private readonly tokenizers: TokenizerService,
    private readonly config: AppConfig,
  ) {}

  /** The encoder to train new models with, if any. */
  current(): string | undefined {
    return this.pool.pickLoaded('feature-extraction', this.config.raw.NLU_ENCODER_MODEL);
  }

  /** One embedding per text, through the shared pool (one batched run per chunk of texts). */
  async embed(modelId: string, texts: string[]): Promise<Float32Array[]> {
    if (!this.pool.has(modelId) || this.pool.status(modelId).state !== 'ready') {
      throw new UnavailableError(`The sentence encoder ${modelId} this NLU model was trained with is not loaded; load it (POST /api/v1/models/${modelId}/load) or retrain`);
    }
    const tokenizer = await this.tokenizers.get(modelId);
    const inputs = this.pool.status(modelId).inputs.map((i) => i.name);
    const out: Float32Array[] = [];
    for (let c = 0; c < texts.length; c += CHUNK) {
      const rows = texts.slice(c, c + CHUNK).map((t) => tokenizer.encode(t).slice(0, MAX_TOKENS));
      const width = Math.max(...rows.map((r) => r.length));
      const ids = new BigInt64Array(rows.length * width);
      const mask = new BigInt64Array(rows.length * width);
      rows.forEach((r, b) => r.forEach((t, j) => {
        ids[b * width + j] = BigInt(t);
        mask[b * width + j] = 1n;
      }));
      const feeds: Record<string, ReturnType<typeof makeTensorLike>> = {
        input_ids: makeTensorLike('int64', ids, [rows.length, width]),
        attention_mask: makeTensorLike('int64', mask, [rows.length, width]),
      };
      if (inputs.includes('token_type_ids')) feeds.token_type_ids = makeTensorLike('int64', new BigInt64Array(rows.length * width), [rows.length, width]);
      const result = await this.pool.run(modelId, feeds, { transfer: true });
      const hidden = result.last_hidden_state ?? Object.values(result)[0];
      const [, seq, dim] = hidden.dims;
      const data = hidden.data as Float32Array;
      rows.forEach((r, b) => {
        const v = new Float32Array(dim);
        for (let j = 0; j < r.length; j++) {
          const base = (b * seq + j) * dim;
          for (let d = 0; d < dim; d++) v[d] += data[base + d];
        }
        let norm = 0;
        for (let d = 0; d < dim; d++) norm += v[d] * v[d];
        norm = Math.sqrt(norm) || 1;
        for (let d = 0; d < dim; d++) v[d] /= norm;
        out.push(v);
      });
    }
    return out;
  }
}
