/**
 * The two text generators bench:generation compares, behind one interface: this
 * project's engine (GenerationService -> GenerationEngine -> InferencePool worker) and
 * transformers.js's own text-generation pipeline (onnxruntime-node on the caller's
 * thread), both loading the same model folder.
 */
import { basename, dirname, resolve } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { GenerationService } from '../../src/generation/generation.service';
import type { OutputGrammarSpec } from '../../src/generation/structured/output-format';
import { ReadinessService } from '../../src/health/readiness.service';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { servingDefaults } from '../../src/inference/inference.config';
import { describeFolder } from '../../src/inference/store/model-store';
import { TokenizerService } from '../../src/inference/tokenizer.service';
import { MetricsService } from '../../src/metrics/metrics.service';

export interface Generated {
  /** ms from the call to the first generated token; undefined where the client cannot tell */
  ttftMs?: number;
  /** tokens generated */
  tokens: number;
  /** generated token ids, in order, where the client exposes them */
  ids: number[];
}

export interface GenerationClient {
  readonly name: string;
  /** greedy, exactly `maxTokens` new tokens (EOS does not stop it) */
  generate(prompt: string, maxTokens: number): Promise<Generated>;
  /** engine counters (cumulative) to report per cell; ours only */
  counters?(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Ours, plus a sibling on the same engine whose requests are constrained to `output` (structured outputs). */
export interface OursClient extends GenerationClient {
  constrained(output: OutputGrammarSpec): GenerationClient;
  /** a prompt given as token ids */
  generateIds(promptIds: number[], maxTokens: number): Promise<Generated>;
}

/**
 * This project's engine, built without Nest the way the app wires it. `intraOpThreads`:
 * INFERENCE_INTRA_OP_THREADS for the session (0 = ONNX Runtime's default, all cores);
 * `prefixCacheMb`: GENERATION_PREFIX_CACHE_MB (0 = off).
 */
export async function oursClient(dir: string, maxBatch: number, intraOpThreads = 0, prefixCacheMb = 0, kvInWorker = true): Promise<OursClient> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    MODELS_DIR: resolve('var', 'bench-empty-store'),
    INFERENCE_AUTOLOAD: 'false',
    INFERENCE_INTRA_OP_THREADS: String(intraOpThreads),
    GENERATION_MAX_BATCH: String(maxBatch),
    GENERATION_PREFIX_CACHE_MB: String(prefixCacheMb),
    GENERATION_KV_IN_WORKER: String(kvInWorker),
  });
  const pool = new InferencePool(config, new MetricsService(), new ReadinessService());
  const id = basename(dir);
  pool.register(describeFolder(dir, id, servingDefaults(config)));
  await pool.load(id);
  const service = new GenerationService(pool, new TokenizerService(pool), config);
  const generate = async (prompt: string | number[], maxTokens: number, output?: OutputGrammarSpec): Promise<Generated> => {
    const started = performance.now();
    // with a grammar, a completed document ends the sequence early: tokens/s is the comparable figure
    const g = await service.start({ model: id, prompt, options: { max_tokens: maxTokens, temperature: 0, ignore_eos: true }, output });
    let ttftMs: number | undefined;
    const ids: number[] = [];
    for await (const e of g.streams[0]) {
      if (e.type === 'token') {
        ttftMs ??= performance.now() - started;
        ids.push(e.tokenId);
      } else if (e.reason === 'error' || e.reason === 'cancelled') {
        throw e.error ?? new Error(`generation ${e.reason}`);
      }
    }
    return { ttftMs, tokens: ids.length, ids };
  };
  const client = (name: string, output?: OutputGrammarSpec): GenerationClient => ({
    name,
    generate: (prompt, maxTokens) => generate(prompt, maxTokens, output),
    async counters() {
      const s = await service.stats(id);
      return { steps: s.steps, prefills: s.prefills, tokens: s.tokensGenerated, prefixHits: s.prefixCache.hits, reusedTokens: s.prefixCache.reusedTokens };
    },
    close: () => pool.onModuleDestroy(),
  });
  return {
    ...client('ours'),
    constrained: (output) => ({ ...client('ours+json_schema', output), close: async () => undefined }),
    generateIds: (promptIds, maxTokens) => generate(promptIds, maxTokens),
  };
}

interface Streamer {
  new (tokenizer: unknown, options: Record<string, unknown>): unknown;
}

/** transformers.js v4 `pipeline('text-generation')`, local files only, called once per request. */
export async function transformersClient(dir: string): Promise<GenerationClient> {
  // require, as TokenizerService does: the CommonJS build shares this process's onnxruntime-node.
  const tf = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = `${dirname(dir)}/`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const generator = (await tf.pipeline('text-generation', basename(dir), { dtype: 'fp32' })) as any;
  const TextStreamer = (tf as unknown as { TextStreamer?: Streamer }).TextStreamer;
  return {
    name: 'transformers.js',
    async generate(prompt, maxTokens) {
      const started = performance.now();
      let ttftMs: number | undefined;
      const ids: number[] = [];
      const streamer = TextStreamer
        ? new TextStreamer(generator.tokenizer, {
            skip_prompt: true,
            callback_function: () => undefined,
            token_callback_function: (tokens: bigint[]) => {
              ttftMs ??= performance.now() - started;
              for (const t of tokens) ids.push(Number(t));
            },
          })
        : undefined;
      const out = await generator(prompt, { max_new_tokens: maxTokens, min_new_tokens: maxTokens, do_sample: false, return_full_text: false, streamer });
      if (!Array.isArray(out) || typeof out[0]?.generated_text !== 'string') throw new Error('transformers.js returned no generated_text');
      // Without a streamer, min_new_tokens = max_new_tokens still fixes the count.
      return { ttftMs, tokens: streamer ? ids.length : maxTokens, ids };
    },
    close: () => generator.dispose(),
  };
}
