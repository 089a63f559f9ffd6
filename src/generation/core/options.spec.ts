import { normalizeError, openAiBody } from '../../common/error-shape';
import { SamplingOptionsError } from './errors';
import {
  GenerationLimits,
  GenerationOptionsError,
  GenerationOptionsInput,
  generationConfigDefaults,
  normalizeGenerationOptions,
  samplingOptionsFor,
} from './options';
import { Sampler } from './sampling';

const GPT2: GenerationLimits = { eosTokenIds: [50256], contextLength: 1024, promptLength: 10, vocabSize: 50257 };

function errorOf(input: unknown, limits: GenerationLimits = GPT2): GenerationOptionsError {
  try {
    normalizeGenerationOptions(input as GenerationOptionsInput, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(GenerationOptionsError);
    return e as GenerationOptionsError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('normalizeGenerationOptions', () => {
  it('fills OpenAI defaults and adds the EOS ids to the stop tokens', () => {
    expect(normalizeGenerationOptions({}, GPT2)).toEqual({
      max_tokens: 1014,
      temperature: 1,
      top_p: 1,
      top_k: 0,
      min_p: 0,
      presence_penalty: 0,
      frequency_penalty: 0,
      repetition_penalty: 1,
      stop: [],
      stop_token_ids: [50256],
      ignore_eos: false,
      n: 1,
      logprobs: false,
      top_logprobs: 0,
    });
    expect(normalizeGenerationOptions(undefined, { ...GPT2, defaultMaxTokens: 16 }).max_tokens).toBe(16);
  });

  it('treats null as absent, as OpenAI clients send it', () => {
    const o = normalizeGenerationOptions({ temperature: null, stop: null, seed: null, logprobs: null, max_tokens: null }, GPT2);
    expect(o).toMatchObject({ temperature: 1, stop: [], logprobs: false, max_tokens: 1014 });
    expect(o.seed).toBeUndefined();
  });

  it('states the numbers when prompt + max_tokens exceed the context', () => {
    const e = errorOf({ max_tokens: 200 }, { ...GPT2, promptLength: 900 });
    expect(e.message).toBe(
      "prompt is 900 tokens and max_tokens 200 exceed the model's context of 1024 (900 + 200 = 1100); lower max_tokens to at most 124 or shorten the prompt",
    );
    expect(e.param).toBe('max_tokens');
    expect(e.code).toBe('context_length_exceeded');
    expect(normalizeGenerationOptions({ max_tokens: 124 }, { ...GPT2, promptLength: 900 }).max_tokens).toBe(124);
  });

  it('reports a prompt that fills the context against the prompt field, and maps to OpenAI\'s error body', () => {
    const e = errorOf({}, { ...GPT2, promptLength: 1024, promptParam: 'messages' });
    expect(e.message).toBe("prompt is 1024 tokens, which leaves no room in the model's context of 1024 tokens; shorten the prompt");
    expect(openAiBody(normalizeError(e))).toEqual({
      error: { message: e.message, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' },
    });
  });

  it('accepts max_completion_tokens and rejects a disagreeing pair', () => {
    expect(normalizeGenerationOptions({ max_completion_tokens: 50 }, GPT2).max_tokens).toBe(50);
    expect(normalizeGenerationOptions({ max_completion_tokens: 50, max_tokens: 50 }, GPT2).max_tokens).toBe(50);
    expect(errorOf({ max_completion_tokens: 50, max_tokens: 60 }).param).toBe('max_completion_tokens');
    expect(errorOf({ max_completion_tokens: 0 }).message).toBe('max_completion_tokens must be an integer >= 1, got 0');
    expect(errorOf({ max_tokens: 1.5 }).message).toBe('max_tokens must be an integer >= 1, got 1.5');
  });

  it('normalises stop strings and enforces OpenAI\'s limit of 4', () => {
    expect(normalizeGenerationOptions({ stop: '\n\n' }, GPT2).stop).toEqual(['\n\n']);
    expect(normalizeGenerationOptions({ stop: ['。', '。', 'END'] }, GPT2).stop).toEqual(['。', 'END']);
    expect(errorOf({ stop: ['a', 'b', 'c', 'd', 'e'] }).message).toBe('stop takes at most 4 strings, got 5');
    expect(errorOf({ stop: [''] }).message).toBe('stop strings must not be empty');
    expect(errorOf({ stop: 5 }).param).toBe('stop');
  });

  it('checks stop_token_ids against the vocabulary and honours ignore_eos', () => {
    expect(normalizeGenerationOptions({ stop_token_ids: [13, 50256] }, GPT2).stop_token_ids.sort()).toEqual([13, 50256]);
    expect(normalizeGenerationOptions({ stop_token_ids: [13], ignore_eos: true }, GPT2).stop_token_ids).toEqual([13]);
    expect(errorOf({ stop_token_ids: [50257] }).message).toBe('stop_token_ids must be an array of token ids (integers from 0 to 50256), got [50257]');
    expect(errorOf({ ignore_eos: 'yes' }).param).toBe('ignore_eos');
  });

  it('handles chat logprobs (boolean + top_logprobs) and legacy completions logprobs (a count)', () => {
    expect(normalizeGenerationOptions({ logprobs: true, top_logprobs: 5 }, GPT2)).toMatchObject({ logprobs: true, top_logprobs: 5 });
    expect(normalizeGenerationOptions({ logprobs: true }, GPT2)).toMatchObject({ logprobs: true, top_logprobs: 0 });
    expect(normalizeGenerationOptions({ logprobs: 3 }, GPT2)).toMatchObject({ logprobs: true, top_logprobs: 3 });
    expect(errorOf({ top_logprobs: 2 }).message).toBe('top_logprobs needs logprobs set to true');
    expect(errorOf({ logprobs: true, top_logprobs: 21 }).message).toBe('top_logprobs must be an integer from 0 to 20, got 21');
    expect(errorOf({ logprobs: 'yes' }).param).toBe('logprobs');
  });

  it('validates n', () => {
    expect(errorOf({ n: 0 }).message).toBe('n must be an integer from 1 to 128, got 0');
    expect(errorOf({ n: 129 }).param).toBe('n');
    expect(normalizeGenerationOptions({ n: 4 }, GPT2).n).toBe(4);
  });

  it('reports sampling errors with their OpenAI param', () => {
    const e = errorOf({ top_p: 0 });
    expect(e).toBeInstanceOf(SamplingOptionsError);
    expect(e.param).toBe('top_p');
    expect(errorOf({ presence_penalty: 3 }).message).toBe('presence_penalty must be a number from -2 to 2, got 3');
    expect(errorOf({ logit_bias: { '60000': 1 } }).message).toMatch(/below the vocabulary size 50257/);
    expect(openAiBody(normalizeError(errorOf({ temperature: 5 }))).error.param).toBe('temperature');
  });

  it('turns do_sample false into greedy', () => {
    expect(normalizeGenerationOptions({ do_sample: false, temperature: 0.7 }, GPT2).temperature).toBe(0);
  });

  it('applies generation_config.json defaults only where the request is silent', () => {
    const { defaults, eosTokenIds } = generationConfigDefaults({
      do_sample: true,
      temperature: 0.7,
      top_p: 0.8,
      top_k: 20,
      repetition_penalty: 1.05,
      eos_token_id: [151645, 151643],
    });
    expect(eosTokenIds).toEqual([151645, 151643]);
    const limits = { ...GPT2, eosTokenIds, defaults, vocabSize: 151936 };
    expect(normalizeGenerationOptions({}, limits)).toMatchObject({ temperature: 0.7, top_p: 0.8, top_k: 20, repetition_penalty: 1.05 });
    expect(normalizeGenerationOptions({ temperature: 0, top_k: 0 }, limits)).toMatchObject({ temperature: 0, top_k: 0, top_p: 0.8 });
    expect(generationConfigDefaults({ do_sample: false, eos_token_id: 50256 })).toEqual({ defaults: { temperature: 0 }, eosTokenIds: [50256] });
    expect(() => generationConfigDefaults({ top_p: 0 })).toThrow(/^generation_config.json: top_p must be/);
  });
});

describe('samplingOptionsFor', () => {
  it('gives each choice its own reproducible seed, the first keeping the request seed', () => {
    const o = normalizeGenerationOptions({ seed: 42, n: 3, top_k: 50, logprobs: true, top_logprobs: 2 }, GPT2);
    const [a, b, c] = [0, 1, 2].map((i) => samplingOptionsFor(o, i));
    expect(a).toMatchObject({ seed: 42, top_k: 50, logprobs: true, top_logprobs: 2 });
    expect(new Set([a.seed, b.seed, c.seed]).size).toBe(3);
    expect(samplingOptionsFor(o, 1).seed).toBe(b.seed);
    expect(() => new Sampler(b, { vocabSize: 50257 })).not.toThrow();
    expect(samplingOptionsFor(normalizeGenerationOptions({}, GPT2), 1).seed).toBeUndefined();
  });
});
