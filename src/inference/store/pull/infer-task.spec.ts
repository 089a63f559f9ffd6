import { inferTask, isTask } from './infer-task';

describe('inferTask', () => {
  it.each([
    [{ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }, 'text-generation'],
    [{ architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2' }, 'text-generation'],
    [{ architectures: ['LlamaForCausalLM'] }, 'text-generation'],
    [{ architectures: ['BertForTokenClassification'], model_type: 'bert' }, 'token-classification'],
    [{ architectures: ['DistilBertForSequenceClassification'] }, 'text-classification'],
    [{ architectures: ['XLMRobertaForSequenceClassification'] }, 'text-classification'],
    [{ architectures: ['BertForQuestionAnswering'] }, 'question-answering'],
    [{ architectures: ['BertForMaskedLM'] }, 'fill-mask'],
    [{ architectures: ['T5ForConditionalGeneration'], is_encoder_decoder: true }, 'text2text-generation'],
    [{ architectures: ['BertModel'], model_type: 'bert' }, 'feature-extraction'],
    [{ architectures: ['MPNetModel'] }, 'feature-extraction'],
  ])('%j -> %s', (config, task) => {
    expect(inferTask(config)).toBe(task);
  });

  it('sentence-transformers files make an embedding model, even with a masked-LM head', () => {
    expect(inferTask({ architectures: ['BertForMaskedLM'] }, ['modules.json', '1_Pooling/config.json'])).toBe('feature-extraction');
    expect(inferTask({ model_type: 'somethingnew' }, ['sentence_bert_config.json'])).toBe('feature-extraction');
  });

  it('falls back to model_type when there are no architectures', () => {
    expect(inferTask({ model_type: 'gpt2' })).toBe('text-generation');
    expect(inferTask({ model_type: 'qwen2' })).toBe('text-generation');
    expect(inferTask({ model_type: 'bert' })).toBe('feature-extraction');
    expect(inferTask({ model_type: 'marian', is_encoder_decoder: true })).toBe('text2text-generation');
  });

  it('returns undefined when config.json does not say enough', () => {
    expect(inferTask({})).toBeUndefined();
    expect(inferTask({ architectures: ['WhisperForAudioFrameThing'], model_type: 'unknown' })).toBeUndefined();
    expect(inferTask({ architectures: 'GPT2LMHeadModel' })).toBeUndefined();
  });

  it('isTask accepts only known tasks', () => {
    expect(isTask('text-generation')).toBe(true);
    expect(isTask('image-classification')).toBe(false);
  });
});
