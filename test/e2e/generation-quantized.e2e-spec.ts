import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerationService } from '../../src/generation/generation.service';
import { LogitsDistance, logitsDistance } from '../../src/inference/fixtures/logits-distance';
import { FixtureKind, writeFixture } from '../../src/inference/fixtures/write-fixture';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { makeTensorLike } from '../../src/inference/runtime/ort';
import { TokenizerService } from '../../src/inference/tokenizer.service';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The quantized variants of the generated fixtures (q8: DynamicQuantizeLinear +
 * MatMulInteger; q4: MatMulNBits), served through the real pool (worker threads) and the
 * engine. Tolerances are against the fp32 graph of the same weights, on the last position's
 * logits of each prompt; the tiny fixtures' weights are 10x wider than GPT-2's init, which
 * makes them far more sensitive to quantization than a trained model (docs/generation.md).
 *
 * q8 quantizes activations with one range per tensor (DynamicQuantizeLinear, as ONNX
 * Runtime's and Optimum's exports do), so the rows of a batch share it: batched logits
 * move slightly with the neighbours, and greedy tokens can differ from solo ones. q4 keeps
 * activations in fp32, so batched = solo holds exactly, as for fp32.
 */

const KINDS: FixtureKind[] = ['gpt2', 'qwen2'];
const PROMPTS = ['Hello, world!', '今天的天气怎么样？', 'The quick brown fox', 'a', '我要订购一本小说，请问有什么推荐的吗？还有别的吗'];
/** max |quantized - fp32| / max |fp32| over a prompt's last-position logits, and the cosine of the two vectors */
const TOLERANCE = { q8: { rel: 0.15, cosine: 0.99 }, q4: { rel: 0.75, cosine: 0.78 } } as const;
type QuantDtype = keyof typeof TOLERANCE;

async function greedyIds(t: TestApp, model: string, prompt: string, maxTokens: number): Promise<number[]> {
  const res = await t.http().post('/api/v1/generation/generate').send({ model, prompt, max_tokens: maxTokens, temperature: 0, logprobs: true, ignore_eos: true }).expect(200);
  return res.body.choices[0].tokens.map((x: { id: number }) => x.id);
}

describe('generation: quantized weights (q8, q4)', () => {
  let t: TestApp;
  let pool: InferencePool;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-quant-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    for (const kind of KINDS) {
      // one folder with every variant, as an onnx-community repository has them; copies serve the others
      const dir = join(modelsDir, `tiny-${kind}`);
      await writeFixture(kind, 'tiny', dir, undefined, ['fp32', 'q8', 'q4']);
      for (const dtype of Object.keys(TOLERANCE)) {
        cpSync(dir, join(modelsDir, `tiny-${kind}-${dtype}`), { recursive: true });
        writeFileSync(join(modelsDir, `tiny-${kind}-${dtype}`, 'llmos.json'), JSON.stringify({ task: 'text-generation', dtype }));
      }
    }
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, GENERATION_MAX_BATCH: '8' } });
    pool = t.app.get(InferencePool);
    await pool.startup;
  });
  afterAll(() => t.close());

  /** The last position's logits of a prefill of each row (the pool's last-position rewrite makes them [rows, 1, vocab]). */
  async function prefill(model: string, kind: FixtureKind, rows: number[][]): Promise<Float32Array> {
    const cfg = pool.descriptor(model).config as Record<string, number>;
    const [layers, heads] = kind === 'gpt2' ? [cfg.n_layer, cfg.n_head] : [cfg.num_hidden_layers, cfg.num_key_value_heads];
    const headDim = kind === 'gpt2' ? cfg.n_embd / cfg.n_head : cfg.hidden_size / cfg.num_attention_heads;
    const i64 = (v: number[][]) => makeTensorLike('int64', BigInt64Array.from(v.flat().map(BigInt)), [v.length, v[0].length]);
    const feeds: Record<string, ReturnType<typeof makeTensorLike>> = { input_ids: i64(rows), attention_mask: i64(rows.map((r) => r.map(() => 1))), position_ids: i64(rows.map((r) => r.map((_, i) => i))) };
    for (let l = 0; l < layers; l++) {
      for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = makeTensorLike('float32', new Float32Array(0), [rows.length, heads, 0, headDim]);
    }
    const out = await pool.run(model, feeds);
    expect(out.logits.dims).toEqual([rows.length, 1, cfg.vocab_size]);
    return out.logits.data as Float32Array;
  }

  const encode = async (kind: FixtureKind, prompt: string) => (await t.app.get(TokenizerService).get(`tiny-${kind}`)).encode(prompt);
  const lastLogits = async (model: string, kind: FixtureKind, prompt: string) => prefill(model, kind, [await encode(kind, prompt)]);

  describe.each(KINDS)('%s', (kind) => {
    const dtypes = Object.keys(TOLERANCE) as QuantDtype[];

    it.each(dtypes)('%s: the store serves the variant llmos.json names, and the pool computes last-position logits with it', async (dtype) => {
      const d = pool.descriptor(`tiny-${kind}-${dtype}`);
      expect(d.dtype).toBe(dtype);
      expect(d.onnx).toMatch(dtype === 'q8' ? /onnx\/model_quantized\.onnx$/ : /onnx\/model_q4\.onnx$/);
      expect(pool.descriptor(`tiny-${kind}`)).toMatchObject({ dtype: 'fp32', onnx: expect.stringMatching(/onnx\/model\.onnx$/) });
      await lastLogits(`tiny-${kind}-${dtype}`, kind, PROMPTS[0]);
    });

    it.each(dtypes)("%s: logits stay close to the fp32 graph's on the same prompts", async (dtype) => {
      const stats: LogitsDistance[] = [];
      for (const prompt of PROMPTS) stats.push(logitsDistance(await lastLogits(`tiny-${kind}-${dtype}`, kind, prompt), await lastLogits(`tiny-${kind}`, kind, prompt)));
      console.log(`tiny-${kind} ${dtype} vs fp32, last-position logits per prompt:\n  ${stats.map((x) => `max abs ${x.maxAbs.toFixed(3)} (rel ${x.rel.toFixed(3)}), cosine ${x.cosine.toFixed(4)}`).join('\n  ')}`);
      for (const x of stats) {
        expect(x.rel).toBeLessThan(TOLERANCE[dtype].rel);
        expect(x.cosine).toBeGreaterThan(TOLERANCE[dtype].cosine);
        // and the variant really is another graph: not bit-identical to fp32
        expect(x.maxAbs).toBeGreaterThan(1e-4);
      }
    });

    it.each([
      ['q8', 'through the shared activation range, by less than the quantization error'],
      ['q4', 'not at all'],
    ] as const)('%s: rows of one batch influence each other %s', async (dtype, _how) => {
      const rows = (await Promise.all(PROMPTS.map((p) => encode(kind, p)))).filter((ids) => ids.length >= 4).map((ids) => ids.slice(0, 4));
      const model = `tiny-${kind}-${dtype}`;
      const V = (pool.descriptor(model).config as Record<string, number>).vocab_size;
      const together = await prefill(model, kind, rows);
      const rel: number[] = [];
      for (let r = 0; r < rows.length; r++) rel.push(logitsDistance(together.subarray(r * V, (r + 1) * V), await prefill(model, kind, [rows[r]])).rel);
      console.log(`tiny-${kind} ${dtype}: batch of ${rows.length} vs solo, max rel difference per row ${rel.map((x) => x.toExponential(1)).join(', ')}`);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      if (dtype === 'q4') {
        expect(Math.max(...rel)).toBeLessThan(1e-5);
      } else {
        expect(Math.max(...rel)).toBeLessThan(TOLERANCE.q8.rel / 2);
        expect(Math.max(...rel)).toBeGreaterThan(1e-5);
      }
    });

    it('q4: continuous batching gives every request its solo greedy tokens, also one joining mid-flight', async () => {
      const model = `tiny-${kind}-q4`;
      const solo: number[][] = [];
      for (const p of PROMPTS) solo.push(await greedyIds(t, model, p, 16));
      expect(new Set(solo.flat()).size).toBeGreaterThan(5);
      const gen = t.app.get(GenerationService);
      const stepsBefore = (await gen.stats(model)).steps;
      const together = PROMPTS.slice(0, 4).map((p) => greedyIds(t, model, p, 16));
      await new Promise((r) => setTimeout(r, 30));
      const late = greedyIds(t, model, PROMPTS[4], 16);
      expect(await Promise.all([...together, late])).toEqual(solo);
      expect((await gen.stats(model)).steps - stepsBefore).toBeLessThan(5 * 16);
    });
  });
});
