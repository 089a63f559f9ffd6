import { Injectable, Logger } from '@nestjs/common';
import { dirname, basename } from 'node:path';
import { UnavailableError } from '../common/errors';
import { InferencePool } from './inference-pool.service';

/** The part of a transformers.js tokenizer the modules use. */
export interface Tokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  apply_chat_template?(messages: unknown[], options?: Record<string, unknown>): unknown;
  readonly model_max_length?: number;
  readonly pad_token_id?: number | null;
  readonly eos_token_id?: number | null;
  readonly bos_token_id?: number | null;
  readonly chat_template?: string | null;
  (text: string | string[], options?: Record<string, unknown>): Record<string, { data: ArrayLike<bigint | number>; dims: number[] }>;
}

type TransformersModule = typeof import('@huggingface/transformers');

/**
 * Tokenizers from each model folder through transformers.js (v4, the current line of
 * what was @xenova/transformers), with remote loading off: nothing is downloaded at run
 * time. transformers.js resolves ids under one global `localModelPath`, so loads are
 * serialized.
 */
@Injectable()
export class TokenizerService {
  private readonly logger = new Logger('Tokenizers');
  private readonly cache = new Map<string, Promise<Tokenizer>>();
  private loading: Promise<unknown> = Promise.resolve();
  private transformers?: Promise<TransformersModule>;

  constructor(private readonly pool: InferencePool) {}

  /** The tokenizer of a registered model (cached until `forget`). */
  get(modelId: string): Promise<Tokenizer> {
    let t = this.cache.get(modelId);
    if (!t) {
      const d = this.pool.descriptor(modelId);
      if (!d.dir || !d.hasTokenizer) return Promise.reject(new UnavailableError(`Model ${modelId} has no tokenizer.json`));
      t = this.fromFolder(d.dir);
      t.catch(() => this.cache.delete(modelId));
      this.cache.set(modelId, t);
    }
    return t;
  }

  forget(modelId: string): void {
    this.cache.delete(modelId);
  }

  /** Loads a tokenizer from any folder holding tokenizer.json (+ tokenizer_config.json). */
  fromFolder(dir: string): Promise<Tokenizer> {
    const load = this.loading.then(async () => {
      const t = await this.lib();
      t.env.allowRemoteModels = false;
      t.env.allowLocalModels = true;
      t.env.localModelPath = `${dirname(dir)}/`;
      const tokenizer = await t.AutoTokenizer.from_pretrained(basename(dir), { local_files_only: true });
      this.logger.debug?.(`Tokenizer loaded from ${dir}`);
      return tokenizer as unknown as Tokenizer;
    });
    this.loading = load.catch(() => undefined);
    return load;
  }

  private lib(): Promise<TransformersModule> {
    // require, not import(): the CommonJS build shares this process's onnxruntime-node
    // instance (one native runtime), and it loads under jest without ESM flags.
    this.transformers ??= Promise.resolve(require('@huggingface/transformers') as TransformersModule);
    return this.transformers;
  }
}
