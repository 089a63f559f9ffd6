import { BGE_QUERY_EN, BGE_QUERY_ZH, encoderConfig } from './encoder-config';

const bert = { model_type: 'bert', hidden_size: 384, max_position_embeddings: 512 };

describe('encoderConfig', () => {
  it('defaults to mean pooling, no prefixes, the model length capped', () => {
    expect(encoderConfig('minilm', { config: bert }, 256)).toEqual({ pooling: 'mean', prefixes: undefined, matryoshka: false, maxTokens: 256, dim: 384 });
  });

  it('reads sentence-transformers pooling modes', () => {
    const mode = (m: string) => encoderConfig('m', { config: bert, pooling: { word_embedding_dimension: 384, pooling_mode_max_tokens: false, [m]: true } }, 512).pooling;
    expect(mode('pooling_mode_cls_token')).toBe('cls');
    expect(mode('pooling_mode_mean_tokens')).toBe('mean');
    expect(mode('pooling_mode_lasttoken')).toBe('last');
    expect(() => mode('pooling_mode_max_tokens')).toThrow(/pooling_mode_max_tokens.*llmos.json/);
  });

  it('lets llmos.json override pooling, prefixes and Matryoshka', () => {
    const c = encoderConfig('bge-small-zh-v1.5', { config: bert, pooling: { pooling_mode_cls_token: true }, llmos: { embeddings: { pooling: 'mean', queryPrefix: 'q: ', passagePrefix: '', matryoshka: true } } }, 512);
    expect(c).toMatchObject({ pooling: 'mean', prefixes: { query: 'q: ' }, matryoshka: true });
    expect(() => encoderConfig('m', { llmos: { embeddings: { pooling: 'max' } } }, 512)).toThrow('embeddings.pooling must be one of mean, cls, last');
    expect(() => encoderConfig('m', { llmos: { embeddings: { prefix: 'x' } } }, 512)).toThrow('unknown embeddings setting(s) prefix');
  });

  it('knows the e5 and bge prefixes, from the id or _name_or_path', () => {
    expect(encoderConfig('multilingual-e5-small', { config: bert }, 512).prefixes).toEqual({ query: 'query: ', passage: 'passage: ' });
    expect(encoderConfig('enc', { config: { ...bert, _name_or_path: 'intfloat/e5-base-v2' } }, 512).prefixes).toEqual({ query: 'query: ', passage: 'passage: ' });
    expect(encoderConfig('bge-small-zh-v1.5', { config: bert }, 512).prefixes).toEqual({ query: BGE_QUERY_ZH });
    expect(encoderConfig('Xenova--bge-small-en-v1.5', { config: bert }, 512).prefixes).toEqual({ query: BGE_QUERY_EN });
    expect(encoderConfig('bge-m3', { config: bert }, 512).prefixes).toBeUndefined();
    expect(encoderConfig('multilingual-e5-large-instruct', { config: bert }, 512).prefixes).toBeUndefined();
    expect(encoderConfig('me5', { config: bert, sentenceTransformers: { prompts: { query: 'Q: ', document: 'D: ' } } }, 512).prefixes).toEqual({ query: 'Q: ', passage: 'D: ' });
  });

  it('takes the smallest known max length (RoBERTa positions minus their offset)', () => {
    expect(encoderConfig('m', { config: bert, sentenceBert: { max_seq_length: 128 } }, 512).maxTokens).toBe(128);
    expect(encoderConfig('m', { config: bert, tokenizerConfig: { model_max_length: 1e30 } }, 8192).maxTokens).toBe(512);
    expect(encoderConfig('m', { config: { model_type: 'xlm-roberta', max_position_embeddings: 514, pad_token_id: 1 } }, 8192).maxTokens).toBe(512);
    expect(encoderConfig('m', { config: bert, llmos: { embeddings: { maxTokens: 64 } } }, 512).maxTokens).toBe(64);
  });
});
