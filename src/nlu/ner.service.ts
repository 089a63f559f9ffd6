import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { InferencePool } from '../inference/inference-pool.service';
import { makeTensorLike } from '../inference/runtime/ort';
import { TokenizerService } from '../inference/tokenizer.service';
import type { ExtractedEntity } from './core/types';
import { decodeTokenClassification, TokenPiece } from './runtime/token-classification';

/**
 * Entities from an installed Hugging Face token-classification model (e.g. a BERT NER
 * export pulled with `npm run models:pull -- Xenova/bert-base-NER`), run through the
 * shared pool. NLU_NER_MODEL names it; with `auto` (the default) the first loaded
 * token-classification model is used, and none means this extractor is simply off.
 */
@Injectable()
export class NerService {
  private readonly logger = new Logger('NLU');
  private warned = new Set<string>();

  constructor(
    private readonly pool: InferencePool,
    private readonly tokenizers: TokenizerService,
    private readonly config: AppConfig,
  ) {}

  /** The model in use, if any is loaded. */
  model(): string | undefined {
    return this.pool.pickLoaded('token-classification', this.config.raw.NLU_NER_MODEL);
  }

  async extract(text: string): Promise<ExtractedEntity[]> {
    const id = this.model();
    if (!id) return [];
    try {
      const tokenizer = await this.tokenizers.get(id);
      const ids = tokenizer.encode(text);
      const specials = new Set([tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id].filter((x): x is number => typeof x === 'number'));
      const pieces: TokenPiece[] = ids.map((t) => {
        const piece = tokenizer.decode([t], { skip_special_tokens: true, clean_up_tokenization_spaces: false });
        return { text: piece, special: specials.has(t) || piece === '' };
      });
      const status = this.pool.status(id);
      const i64 = (v: number[]) => makeTensorLike('int64', BigInt64Array.from(v, BigInt), [1, v.length]);
      const feeds: Record<string, ReturnType<typeof makeTensorLike>> = { input_ids: i64(ids) };
      const names = status.inputs.map((i) => i.name);
      if (names.includes('attention_mask')) feeds.attention_mask = i64(ids.map(() => 1));
      if (names.includes('token_type_ids')) feeds.token_type_ids = i64(ids.map(() => 0));
      const out = await this.pool.run(id, feeds);
      const logits = (out.logits ?? Object.values(out)[0]).data as Float32Array;
      const id2label = (this.pool.descriptor(id).config?.id2label ?? {}) as Record<string, string>;
      return decodeTokenClassification(text, pieces, logits, id2label, id);
    } catch (err) {
      // A broken NER model must not break parsing: rules and the tagger still answer.
      if (!this.warned.has(id)) {
        this.warned.add(id);
        this.logger.warn(`Token-classification model ${id} failed; parsing without it: ${(err as Error).message}`);
      }
      return [];
    }
  }
}
