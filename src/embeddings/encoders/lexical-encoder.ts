import { UnavailableError } from '../../common/errors';
import type { InferencePool } from '../../inference/inference-pool.service';
import { makeTensorLike } from '../../inference/runtime/ort';
import { builtinDescriptor, type ModelDescriptor } from '../../inference/store/model-store';
import type { ServingDefaults } from '../../inference/store/serving-settings';
import { lexicalFeatures } from '../lexical/lexical-features';
import { packSparseBatch } from '../../inference/onnx/sparse-batch';
import { buildLexicalOnnx, LEXICAL_INPUTS, LEXICAL_OUTPUT, LexicalShape } from '../lexical/lexical-onnx';
import { EncodeOutput, Encoder, EncoderInfo, inSlices, RUN_ROWS } from './encoder';

export const LEXICAL_ID = 'llmos-lexical';
/** Bump when features, hashing or the projection change: vectors of different versions do not mix. */
export const LEXICAL_VERSION = 1;
export const LEXICAL_SHAPE: LexicalShape = { buckets: 1 << 16, dim: 256, seed: 0x11e05 };
export const LEXICAL_MAX_TOKENS = 512;

/**
 * How the pool serves the built-in encoder: shared by every project, batched, loaded on
 * first use (a deployment that never embeds does not hold its 16 MB sign table in a worker).
 */
export function lexicalDescriptor(defaults: ServingDefaults): ModelDescriptor {
  return builtinDescriptor({
    id: LEXICAL_ID,
    task: 'hashing-encoder',
    onnx: buildLexicalOnnx(LEXICAL_SHAPE, LEXICAL_VERSION),
    serving: {
      ...defaults,
      required: false,
      autoload: false,
      replicas: 1,
      executionProviders: ['cpu'],
      intraOpThreads: 1,
      interOpThreads: 1,
      batching: { ...defaults.batching, enabled: true, maxBatchSize: 64 },
      padding: { feature_ids: 0, feature_values: 0 },
    },
  });
}

/** The built-in encoder: features hashed here, projected and normalized by its ONNX graph in the pool. */
export class LexicalEncoder implements Encoder {
  readonly info: EncoderInfo = { id: LEXICAL_ID, dim: LEXICAL_SHAPE.dim, maxTokens: LEXICAL_MAX_TOKENS, builtin: true, pooling: 'hashed', matryoshka: true };
  private loading?: Promise<unknown>;

  constructor(private readonly pool: InferencePool) {}

  async embedTexts(texts: string[]): Promise<EncodeOutput> {
    await this.ready();
    const features = texts.map((t) => lexicalFeatures(t, { buckets: LEXICAL_SHAPE.buckets, maxTokens: LEXICAL_MAX_TOKENS }));
    const vectors = await inSlices(features, RUN_ROWS, async (rows) => {
      const p = packSparseBatch(rows);
      const out = await this.pool.run(LEXICAL_ID, {
        [LEXICAL_INPUTS.ids]: makeTensorLike('int64', p.ids, [p.batch, p.width]),
        [LEXICAL_INPUTS.values]: makeTensorLike('float32', p.values, [p.batch, p.width]),
      }, { transfer: true });
      const data = out[LEXICAL_OUTPUT].data as Float32Array;
      return rows.map((_, b) => data.slice(b * LEXICAL_SHAPE.dim, (b + 1) * LEXICAL_SHAPE.dim));
    });
    return { vectors, tokens: features.reduce((s, f) => s + f.tokens, 0), truncated: features.flatMap((f, i) => (f.truncated ? [i] : [])) };
  }

  /** Loads on first use (and again after an admin unloaded it). */
  private async ready(): Promise<void> {
    let state = this.pool.status(LEXICAL_ID).state;
    if (state === 'loading') {
      await this.pool.startup;
      state = this.pool.status(LEXICAL_ID).state;
    }
    if (state === 'ready') return;
    if (state === 'failed') throw new UnavailableError(`The built-in encoder ${LEXICAL_ID} failed to load: ${this.pool.status(LEXICAL_ID).error}`);
    this.loading ??= this.pool.load(LEXICAL_ID).finally(() => (this.loading = undefined));
    await this.loading;
  }
}
