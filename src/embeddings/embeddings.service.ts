import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { BadInputError, NotFoundError, UnavailableError } from '../common/errors';
import { AppConfig, settingNumber } from '../config/app-config';
import { InferencePool } from '../inference/inference-pool.service';
import { servingDefaults } from '../inference/inference.config';
import type { ModelDescriptor } from '../inference/store/model-store';
import { TokenizerService } from '../inference/tokenizer.service';
import { USAGE_METRICS } from '../usage/core/usage-metrics';
import { UsageService } from '../usage/usage.service';
import { EncoderConfigError, encoderConfig } from './core/encoder-config';
import { truncateDims } from './core/vectors';
import { EncodeOutput, Encoder, EncoderInfo } from './encoders/encoder';
import { readEncoderFiles } from './encoders/encoder-files';
import { LEXICAL_ID, LexicalEncoder, lexicalDescriptor } from './encoders/lexical-encoder';
import { StoreEncoder } from './encoders/store-encoder';

export type { EncoderInfo } from './encoders/encoder';
export { LEXICAL_ID } from './encoders/lexical-encoder';

export interface EmbedOptions {
  /** encoder id; omitted: EMBEDDINGS_DEFAULT_MODEL */
  model?: string;
  /** applies the model's query or passage prefix (e5, bge, llmos.json) */
  kind?: 'query' | 'passage';
  /** Matryoshka truncation + renormalization, for models that allow it */
  dimensions?: number;
  /** the project to meter (usage embeddings.texts); omitted: not metered */
  project?: string;
}

export interface EmbedResult {
  model: string;
  dim: number;
  vectors: Float32Array[];
  tokens: number;
  /** indices of the inputs cut to maxTokens */
  truncated: number[];
  maxTokens: number;
}

const ENCODER_TASK = 'feature-extraction';

/**
 * The one owner of "text -> vector": the built-in lexical encoder and every installed
 * feature-extraction model, all served by the shared InferencePool. Several encoders
 * are loaded at once; each call picks one by id.
 */
@Injectable()
export class EmbeddingsService implements OnModuleInit {
  private readonly lexical: LexicalEncoder;
  private readonly store = new Map<string, { descriptor: ModelDescriptor; encoder: StoreEncoder }>();

  constructor(
    private readonly pool: InferencePool,
    private readonly tokenizers: TokenizerService,
    private readonly config: AppConfig,
    /** meters embedded texts per project (docs/usage.md); absent in tools that run without the app */
    @Optional() private readonly usage?: UsageService,
  ) {
    this.lexical = new LexicalEncoder(pool);
  }

  /** Registers the built-in encoder before the pool's start-up loading, so it is loaded with the store's models. */
  onModuleInit(): void {
    if (!this.pool.has(LEXICAL_ID)) this.pool.register(lexicalDescriptor(servingDefaults(this.config)));
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbedResult> {
    const encoder = this.resolve(options.model);
    this.check(texts.length, encoder.info, options.dimensions);
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new BadInputError(`input[${i}] must be a string`, { param: 'input' });
    });
    const prefix = options.kind ? (encoder.info.prefixes?.[options.kind] ?? '') : '';
    const out = await encoder.embedTexts(prefix ? texts.map((t) => prefix + t) : texts);
    return this.finish(encoder.info, out, options);
  }

  /** Pre-tokenized input (OpenAI's token arrays), for encoders with a tokenizer; no prefix is added. */
  async embedTokens(ids: number[][], options: Omit<EmbedOptions, 'kind'> = {}): Promise<EmbedResult> {
    const encoder = this.resolve(options.model);
    if (!encoder.embedTokens) throw new BadInputError(`Model ${encoder.info.id} has no tokenizer, so it cannot read token ids; send the input as text`, { param: 'input' });
    this.check(ids.length, encoder.info, options.dimensions);
    ids.forEach((r, i) => {
      if (r.length === 0) throw new BadInputError(`input[${i}] is an empty token array`, { param: 'input' });
    });
    return this.finish(encoder.info, await encoder.embedTokens(ids), options);
  }

  encoder(model?: string): EncoderInfo {
    return this.resolve(model).info;
  }

  /** The built-in encoder and every feature-extraction model of the store (loaded or not; a misconfigured one is skipped). */
  encoders(): EncoderInfo[] {
    const ids = this.pool.list().filter((m) => m.task === ENCODER_TASK).map((m) => m.id);
    return [this.lexical.info, ...ids.flatMap((id) => {
      try {
        return [this.storeEncoder(id).info];
      } catch {
        return [];
      }
    })];
  }

  /**
   * A loaded store encoder chosen by a setting (NLU_ENCODER_MODEL): `auto` = the first loaded
   * one by id, `none` or empty = none, else that id if it is loaded. Never the built-in one.
   */
  loadedStoreEncoder(choice: string): string | undefined {
    return this.pool.pickLoaded(ENCODER_TASK, choice);
  }

  private resolve(model?: string): Encoder {
    const id = model === undefined || model === '' ? this.config.raw.EMBEDDINGS_DEFAULT_MODEL : model;
    if (id === LEXICAL_ID) return this.lexical;
    if (!this.pool.has(id)) this.pool.rescan();
    if (!this.pool.has(id) || this.pool.descriptor(id).task !== ENCODER_TASK) {
      const installed = this.encoders().map((e) => e.id).join(', ');
      const what = this.pool.has(id) ? `Model ${id} is a ${this.pool.descriptor(id).task} model, not an embedding model` : `No embedding model named ${id}`;
      throw new NotFoundError(`${what}; installed encoders: ${installed}`, { param: 'model' });
    }
    return this.storeEncoder(id);
  }

  private storeEncoder(id: string): StoreEncoder {
    const descriptor = this.pool.descriptor(id);
    const cached = this.store.get(id);
    if (cached?.descriptor === descriptor) return cached.encoder;
    try {
      const files = readEncoderFiles(descriptor);
      const cfg = encoderConfig(id, files, settingNumber(this.config, 'EMBEDDINGS_MAX_TOKENS'));
      const vocab = files.config?.vocab_size;
      const encoder = new StoreEncoder(id, cfg, this.pool, this.tokenizers, Number.isInteger(vocab) ? (vocab as number) : undefined);
      this.store.set(id, { descriptor, encoder });
      return encoder;
    } catch (err) {
      if (err instanceof EncoderConfigError) throw new UnavailableError(`Embedding model ${id} cannot be used: ${err.message}`, { param: 'model' });
      throw err;
    }
  }

  private check(count: number, info: EncoderInfo, dimensions?: number): void {
    if (count === 0) throw new BadInputError('input is empty: send at least one text', { param: 'input' });
    if (dimensions === undefined) return;
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new BadInputError(`dimensions must be a positive integer (got ${JSON.stringify(dimensions)})`, { param: 'dimensions' });
    if (!info.matryoshka && dimensions !== info.dim) {
      throw new BadInputError(`Model ${info.id} does not allow choosing dimensions (its vectors have ${info.dim || 'a fixed number of'}); omit dimensions, or mark a Matryoshka model with "embeddings": {"matryoshka": true} in its llmos.json`, { param: 'dimensions' });
    }
    if (info.dim && dimensions > info.dim) throw new BadInputError(`dimensions ${dimensions} exceeds the ${info.dim} of model ${info.id}`, { param: 'dimensions' });
  }

  private finish(info: EncoderInfo, out: EncodeOutput, options: EmbedOptions): EmbedResult {
    const k = options.dimensions;
    const vectors = k && k < out.vectors[0].length ? out.vectors.map((v) => truncateDims(v, k)) : out.vectors;
    if (options.project) this.usage?.add(options.project, USAGE_METRICS.embeddedTexts, vectors.length);
    return { model: info.id, dim: vectors[0].length, vectors, tokens: out.tokens, truncated: out.truncated, maxTokens: info.maxTokens };
  }
}
