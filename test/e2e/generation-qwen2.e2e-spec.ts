import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { GenerationService } from '../../src/generation/generation.service';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { makeTensorLike } from '../../src/inference/runtime/ort';
import { TokenizerService } from '../../src/inference/tokenizer.service';
import { writeTinyQwen2 } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

const MODEL = 'tiny-qwen2';
const PROMPTS = ['Hello, world!', '今天的天气怎么样？', 'The quick brown fox', 'a', '我要订购一本小说，请问有什么推荐的吗？还有别的吗'];

async function greedyIds(t: TestApp, prompt: string, maxTokens: number): Promise<number[]> {
  const res = await t.http().post('/api/v1/generation/generate').send({ model: MODEL, prompt, max_tokens: maxTokens, temperature: 0, logprobs: true, ignore_eos: true }).expect(200);
  return res.body.choices[0].tokens.map((x: { id: number }) => x.id);
}

describe('generation: the Llama/Qwen2 family', () => {
  let t: TestApp;
  let pool: InferencePool;
  let modelsDir: string;
  let client: OpenAI;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-qwen2-'));
    modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyQwen2(modelsDir);
    // the same export with a config.json that lost num_key_value_heads
    const bad = await writeTinyQwen2(modelsDir, 'tiny-qwen2-no-kv-heads');
    const config = JSON.parse(readFileSync(join(bad, 'config.json'), 'utf8'));
    delete config.num_key_value_heads;
    writeFileSync(join(bad, 'config.json'), JSON.stringify(config));
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, GENERATION_MAX_BATCH: '8' } });
    pool = t.app.get(InferencePool);
    await pool.startup;
    client = new OpenAI({ apiKey: 'unused', baseURL: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/v1` });
  });
  afterAll(() => t.close());

  it('greedy with the grouped-query KV cache equals greedy recomputing the whole sequence each step', async () => {
    const tokenizer = await t.app.get(TokenizerService).get(MODEL);
    const cfg = pool.descriptor(MODEL).config as { num_hidden_layers: number; num_attention_heads: number; num_key_value_heads: number; hidden_size: number; vocab_size: number };
    expect(cfg.num_key_value_heads).toBeLessThan(cfg.num_attention_heads);
    const headDim = cfg.hidden_size / cfg.num_attention_heads;
    for (const prompt of PROMPTS.slice(0, 3)) {
      const seq = tokenizer.encode(prompt);
      const expected: number[] = [];
      for (let step = 0; step < 12; step++) {
        const i64 = (v: number[]) => makeTensorLike('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
        const feeds: Record<string, ReturnType<typeof makeTensorLike>> = { input_ids: i64(seq), attention_mask: i64(seq.map(() => 1)), position_ids: i64(seq.map((_, i) => i)) };
        for (let l = 0; l < cfg.num_hidden_layers; l++) {
          feeds[`past_key_values.${l}.key`] = makeTensorLike('float32', new Float32Array(0), [1, cfg.num_key_value_heads, 0, headDim]);
          feeds[`past_key_values.${l}.value`] = makeTensorLike('float32', new Float32Array(0), [1, cfg.num_key_value_heads, 0, headDim]);
        }
        const out = await pool.run(MODEL, feeds);
        // the pool's last-position rewrite applies to this graph too
        expect(out.logits.dims).toEqual([1, 1, cfg.vocab_size]);
        expect(out['present.0.key'].dims).toEqual([1, cfg.num_key_value_heads, seq.length, headDim]);
        const logits = out.logits.data as Float32Array;
        let best = 0;
        for (let v = 1; v < cfg.vocab_size; v++) if (logits[v] > logits[best]) best = v;
        expected.push(best);
        seq.push(best);
      }
      expect(new Set(expected).size).toBeGreaterThan(3);
      expect(await greedyIds(t, prompt, 12)).toEqual(expected);
    }
  });

  it('refuses a config whose KV cache size disagrees with the export, naming both', async () => {
    const res = await t.http().post('/v1/completions').send({ model: 'tiny-qwen2-no-kv-heads', prompt: 'hi', max_tokens: 2 }).expect(503);
    expect(res.body.error.message).toMatch(/4 key\/value heads x 16 .*past_key_values\.0\.key is \[batch_size, 2, past_sequence_length, 16\]/);
  });

  it('continuous batching: concurrent requests of different lengths give exactly their solo tokens, also when one joins mid-flight', async () => {
    const solo: number[][] = [];
    for (const p of PROMPTS) solo.push(await greedyIds(t, p, 20));
    const gen = t.app.get(GenerationService);
    const stepsBefore = (await gen.stats(MODEL)).steps;
    const together = PROMPTS.slice(0, 4).map((p) => greedyIds(t, p, 20));
    await new Promise((r) => setTimeout(r, 30));
    const late = greedyIds(t, PROMPTS[4], 20);
    expect(await Promise.all([...together, late])).toEqual(solo);
    expect((await gen.stats(MODEL)).steps - stepsBefore).toBeLessThan(5 * 20);
  });

  it("matches transformers.js' text-generation pipeline: greedy token ids and text", async () => {
    const tf = require('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.localModelPath = `${modelsDir}/`;
    const generator = await tf.pipeline('text-generation', MODEL, { dtype: 'fp32' });
    try {
      for (const prompt of PROMPTS.slice(0, 3)) {
        const inputs = generator.tokenizer(prompt);
        const output = await generator.model.generate({ ...inputs, max_new_tokens: 10, min_new_tokens: 10, do_sample: false });
        const theirs = Array.from(output.data as BigInt64Array, Number).slice(inputs.input_ids.dims[1]);
        expect(await greedyIds(t, prompt, 10)).toEqual(theirs);
        // the pipeline itself, stopping at the model's EOS ids as the server does
        const [piped] = await generator(prompt, { max_new_tokens: 24, do_sample: false, return_full_text: false });
        const ours = await t.http().post('/v1/completions').send({ model: MODEL, prompt, max_tokens: 24, temperature: 0 }).expect(200);
        expect(ours.body.choices[0].text).toBe(piped.generated_text);
      }
    } finally {
      await generator.dispose();
    }
  });

  it('chat goes through the Qwen2.5 template of tokenizer_config.json, as transformers.js renders it', async () => {
    const tf = require('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.localModelPath = `${modelsDir}/`;
    const tokenizer = await tf.AutoTokenizer.from_pretrained(MODEL);
    const messages = [
      { role: 'system' as const, content: '你是一个助手。' },
      { role: 'user' as const, content: '北京的天气怎么样？' },
    ];
    const text: string = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, tokenize: false });
    expect(text).toBe('<|im_start|>system\n你是一个助手。<|im_end|>\n<|im_start|>user\n北京的天气怎么样？<|im_end|>\n<|im_start|>assistant\n');
    const ids: number[] = tokenizer.encode(text, { add_special_tokens: false });
    const r = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 8, temperature: 0 });
    expect(r.usage!.prompt_tokens).toBe(ids.length);
    const byIds = await t.http().post('/v1/completions').send({ model: MODEL, prompt: ids, max_tokens: 8, temperature: 0 }).expect(200);
    expect(r.choices[0].message.content).toBe(byIds.body.choices[0].text);
    // an empty prompt starts from bos (<|endoftext|>), not from the first EOS id (<|im_end|>)
    const complete = async (prompt: string | number[]) => (await t.http().post('/v1/completions').send({ model: MODEL, prompt, max_tokens: 8, temperature: 0, ignore_eos: true }).expect(200)).body;
    const empty = await complete('');
    expect(empty.usage.prompt_tokens).toBe(1);
    const [endOfText, imEnd] = [tokenizer.convert_tokens_to_ids('<|endoftext|>'), tokenizer.convert_tokens_to_ids('<|im_end|>')];
    expect(empty.choices[0].text).toBe((await complete([endOfText])).choices[0].text);
    expect(empty.choices[0].text).not.toBe((await complete([imEnd])).choices[0].text);
  });
});
