import { isReranker, labelCount, maxPairLength } from './rerankers';

describe('rerankers', () => {
  it('takes one-label text-classification models and llmos.json task rerank', () => {
    expect(isReranker({ task: 'text-classification', config: { id2label: { '0': 'LABEL_0' } } })).toBe(true);
    expect(isReranker({ task: 'text-classification', config: { num_labels: 1 } })).toBe(true);
    expect(isReranker({ task: 'rerank', config: undefined })).toBe(true);
    expect(isReranker({ task: 'text-classification', config: { id2label: { '0': 'NEGATIVE', '1': 'POSITIVE' } } })).toBe(false);
    expect(isReranker({ task: 'feature-extraction', config: { id2label: { '0': 'LABEL_0' } } })).toBe(false);
    expect(labelCount(undefined)).toBeUndefined();
  });

  it('bounds the pair length by the tokenizer and the position table', () => {
    expect(maxPairLength({ task: 'rerank', config: { max_position_embeddings: 512, model_type: 'bert' } }, 512)).toBe(512);
    // XLM-R (bge-reranker-base): 514 positions, 512 usable
    expect(maxPairLength({ task: 'rerank', config: { max_position_embeddings: 514, model_type: 'xlm-roberta' } }, 1e30)).toBe(512);
    expect(maxPairLength({ task: 'rerank', config: { max_position_embeddings: 128 } }, 512)).toBe(128);
    expect(maxPairLength({ task: 'rerank', config: undefined }, undefined)).toBe(512);
  });
});
