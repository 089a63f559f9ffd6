import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelDescriptor } from '../../inference/store/model-store';
import { EncoderConfigError, EncoderFiles } from '../core/encoder-config';

/** Reads the files that say how a store model embeds (the model store already parsed config.json and tokenizer_config.json). */
export function readEncoderFiles(d: ModelDescriptor): EncoderFiles {
  const read = (file: string) => {
    const path = d.dir ? join(d.dir, file) : undefined;
    if (!path || !existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new EncoderConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
  };
  return {
    config: d.config,
    tokenizerConfig: d.tokenizerConfig,
    pooling: read('1_Pooling/config.json'),
    sentenceBert: read('sentence_bert_config.json'),
    sentenceTransformers: read('config_sentence_transformers.json'),
    llmos: read('llmos.json'),
  };
}
