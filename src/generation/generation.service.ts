import { Injectable, Logger, Optional } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { BadInputError, NotFoundError, UnavailableError } from '../common/errors';
import { AppConfig, settingBool, settingNumber } from '../config/app-config';
import { InferencePool } from '../inference/inference-pool.service';
import { makeTensorLike } from '../inference/runtime/ort';
import { Tokenizer, TokenizerService } from '../inference/tokenizer.service';
import { MetricsService } from '../metrics/metrics.service';
import { USAGE_METRICS } from '../usage/core/usage-metrics';
import { QuotaService } from '../usage/quota.service';
import { UsageService } from '../usage/usage.service';
import { ChatTemplate, resolveChatTemplate, specialTokensFromConfig } from './core/chat-template';
import { generationConfigDefaults, GenerationOptions, GenerationOptionsInput, normalizeGenerationOptions, samplingOptionsFor } from './core/options';
import { Sampler } from './core/sampling';
import { EngineStats, GenerationEngine } from './engine/engine';
import { WorkerBatch } from './engine/resident-batch';
import { GenerationMetrics } from './generation-metrics';
import { causalLmShape, CausalLmShape, ModelShapeError } from './engine/model-shape';
import { FinishEvent, Sequence, SequenceEvent } from './engine/sequence';
import { GrammarConstraint, TokenTrie } from './structured/constraint';
import { GrammarCache, OutputGrammarSpec } from './structured/output-format';

export interface GenerationRequest {
  model?: string;
  /** completion: a string (or token ids); chat: messages */
  prompt?: string | number[];
  messages?: unknown[];
  options?: GenerationOptionsInput;
  /** max_tokens when the request gives none */
  defaultMaxTokens?: number;
  signal?: AbortSignal;
  /** constrained output: a JSON document or forced tool calls (see structured/output-format.ts) */
  output?: OutputGrammarSpec;
  /** the request field the output spec came from, for errors (response_format, tool_choice) */
  outputParam?: string;
  /** OpenAI tool objects to render into the chat prompt */
  tools?: unknown[];
  /**
   * The project the request acts in: its generatedTokensPerDay quota applies and its usage
   * counts prompt and generated tokens. Every request handler passes it; only in-process
   * tools (benchmarks) leave it out.
   */
  projectId?: string;
}

export interface PreparedGeneration {
  model: string;
  promptIds: number[];
  options: GenerationOptions;
  /** one event stream per choice */
  streams: AsyncGenerator<SequenceEvent>[];
  tokenText: (id: number) => string;
}

interface ModelRuntime {
  id: string;
  loadedAt?: Date;
  shape: CausalLmShape;
  engine: GenerationEngine;
  tokenizer: Tokenizer;
  chat: ChatTemplate;
  chatStops: readonly string[];
  specialTokens: Record<string, string>;
  defaults: ReturnType<typeof generationConfigDefaults>;
  /** what an empty prompt starts from: bos_token_id of generation_config.json or config.json, else the first EOS id */
  startTokenId?: number;
  /** the vocabulary's texts in a prefix trie, built on the first constrained request */
  trie?: TokenTrie;
  grammars: GrammarCache;
}

export const PULL_HINT = 'npm run models:pull -- Xenova/gpt2 (or onnx-community/Qwen2.5-0.5B-Instruct), then restart or POST /api/v1/models/{id}/load';

/**
 * Text generation over the shared pool: resolves the model, renders chat templates,
 * tokenizes, validates options against the model's context, and hands sequences to the
 * model's continuous-batching engine.
 */
@Injectable()
export class GenerationService {
  private readonly logger = new Logger('Generation');
  private readonly runtimes = new Map<string, Promise<ModelRuntime>>();
  private seq = 0;
  private readonly metrics: GenerationMetrics;

  constructor(
    private readonly pool: InferencePool,
    private readonly tokenizers: TokenizerService,
    private readonly config: AppConfig,
    // optional so benchmarks can build the service alone (their metrics go to a private registry)
    @Optional() metricsService?: MetricsService,
    // optional for the same reason; the application always has them (UsageModule is global)
    @Optional() private readonly usage?: UsageService,
    @Optional() private readonly quotas?: QuotaService,
  ) {
    this.metrics = new GenerationMetrics(metricsService?.registry ?? new Registry());
  }

  /** Text-generation models the pool knows, loaded or not. */
  models(): { id: string; state: string }[] {
    return this.pool.list().filter((m) => m.task === 'text-generation').map((m) => ({ id: m.id, state: m.state }));
  }

  resolveModel(requested?: string): string {
    const models = this.models();
    if (requested) {
      const m = models.find((x) => x.id === requested);
      if (!m) {
        if (models.length === 0) throw new UnavailableError(`No text-generation model is installed. Install one: ${PULL_HINT}`);
        throw new NotFoundError(`The model \`${requested}\` does not exist; installed text-generation models: ${models.map((x) => x.id).join(', ')}`, { param: 'model' });
      }
      return m.id;
    }
    const preferred = this.config.raw.GENERATION_DEFAULT_MODEL;
    if (preferred && models.some((m) => m.id === preferred)) return preferred;
    const ready = models.find((m) => m.state === 'ready') ?? models[0];
    if (!ready) throw new UnavailableError(`No text-generation model is installed. Install one: ${PULL_HINT}`);
    return ready.id;
  }

  async stats(model: string): Promise<EngineStats> {
    return (await this.runtime(this.resolveModel(model))).engine.getStats();
  }

  /** Validates and starts a generation; the returned streams deliver each choice's tokens. */
  async start(req: GenerationRequest): Promise<PreparedGeneration> {
    const id = this.resolveModel(req.model);
    const rt = await this.runtime(id);
    let promptIds: number[];
    let extraStops: readonly string[] = [];
    let promptParam = 'prompt';
    if (req.messages) {
      promptParam = 'messages';
      const text = rt.chat.render(req.messages, { specialTokens: rt.specialTokens, tools: req.tools });
      promptIds = rt.tokenizer.encode(text, { add_special_tokens: false });
      extraStops = rt.chatStops;
    } else if (Array.isArray(req.prompt)) {
      promptIds = req.prompt;
      const bad = promptIds.find((t) => !Number.isInteger(t) || t < 0 || t >= rt.shape.vocabSize);
      if (bad !== undefined) throw new BadInputError(`prompt token ${bad} is outside the vocabulary (0..${rt.shape.vocabSize - 1})`, { param: 'prompt' });
    } else {
      promptIds = rt.tokenizer.encode(req.prompt ?? '');
    }
    if (promptIds.length === 0) {
      // As Hugging Face generate: an empty prompt starts from bos (GPT-2's and Qwen2's <|endoftext|>).
      if (rt.startTokenId === undefined) throw new BadInputError('The prompt is empty', { param: promptParam });
      promptIds = [rt.startTokenId];
    }
    const options = normalizeGenerationOptions(req.options, {
      eosTokenIds: rt.defaults.eosTokenIds,
      contextLength: rt.shape.contextLength,
      promptLength: promptIds.length,
      vocabSize: rt.shape.vocabSize,
      defaultMaxTokens: req.defaultMaxTokens ?? settingNumber(this.config, 'GENERATION_DEFAULT_MAX_TOKENS'),
      defaults: rt.defaults.defaults,
      promptParam,
    });
    const grammar = req.output && rt.grammars.get(req.output, this.trie(rt), req.outputParam ?? 'response_format');
    const project = req.projectId;
    if (project !== undefined) await this.quotas?.admitGeneration(project);
    const stops = [...new Set([...options.stop, ...extraStops])];
    // The incremental decoder diffs windows of text: tokenizer clean-up would make them disagree.
    const decode = (ids: number[]) => rt.tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
    const usage = this.usage;
    const count = project !== undefined && usage ? (metric: string, n: number) => usage.add(project, metric, n) : undefined;
    // Generated tokens count as each choice finishes, cancelled and failed ones too (they were computed).
    const onFinish = count && ((e: FinishEvent) => count(USAGE_METRICS.generatedTokens, e.completionTokens));
    const sequences = Array.from({ length: options.n }, (_, i) => {
      const sampler = new Sampler(samplingOptionsFor(options, i), { vocabSize: rt.shape.vocabSize });
      const constraint = grammar && new GrammarConstraint(grammar, options.stop_token_ids);
      return new Sequence(this.seq++, { promptIds, maxTokens: options.max_tokens, stopTokenIds: new Set(options.stop_token_ids), stop: stops, sampler, decode, signal: req.signal, onFinish, constraint });
    });
    for (const s of sequences) rt.engine.submit(s);
    this.metrics.prompt(id, promptIds.length);
    count?.(USAGE_METRICS.promptTokens, promptIds.length);
    return { model: id, promptIds, options, streams: sequences.map((s) => s.stream()), tokenText: (tid) => rt.tokenizer.decode([tid], { skip_special_tokens: false }) };
  }

  /** The model's vocabulary as decoded texts (special tokens and partial characters left out), built once. */
  private trie(rt: ModelRuntime): TokenTrie {
    rt.trie ??= TokenTrie.fromTokenizer(
      rt.shape.vocabSize,
      (ids) => rt.tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
      (text) => rt.tokenizer.encode(text, { add_special_tokens: false }),
    );
    return rt.trie;
  }

  private runtime(id: string): Promise<ModelRuntime> {
    const status = this.pool.status(id);
    if (status.state !== 'ready') {
      throw new UnavailableError(`Model ${id} is not available (${status.state}${status.error ? `: ${status.error}` : ''}); an admin can POST /api/v1/models/${id}/load`, undefined, status.state === 'loading' ? 2 : undefined);
    }
    let rt = this.runtimes.get(id);
    if (rt) {
      const cached = rt;
      // A reload (new sessions, maybe new files) gets a fresh runtime.
      rt = cached.then((r) => (r.loadedAt?.getTime() === status.loadedAt?.getTime() ? r : this.build(id)));
    } else {
      rt = this.build(id);
    }
    this.runtimes.set(id, rt);
    rt.catch(() => this.runtimes.delete(id));
    return rt;
  }

  private async build(id: string): Promise<ModelRuntime> {
    const d = this.pool.descriptor(id);
    const status = this.pool.status(id);
    let shape: CausalLmShape;
    try {
      shape = causalLmShape(d.config, status.inputs.map((i) => i.name), Object.fromEntries(status.inputs.map((i) => [i.name, i.shape])));
    } catch (err) {
      if (err instanceof ModelShapeError) throw new UnavailableError(`Model ${id} cannot be used for generation: ${err.message}`);
      throw err;
    }
    this.tokenizers.forget(id);
    const tokenizer = await this.tokenizers.get(id);
    const chatFile = d.dir && existsSync(join(d.dir, 'chat_template.jinja')) ? readFileSync(join(d.dir, 'chat_template.jinja'), 'utf8') : undefined;
    const resolved = resolveChatTemplate({ origin: d.dir ?? id, tokenizerConfig: d.tokenizerConfig, chatTemplateFile: chatFile });
    const engine = new GenerationEngine(
      id,
      shape,
      // the batch's KV cache stays in the pinned replica's worker between decode steps
      settingBool(this.config, 'GENERATION_KV_IN_WORKER') ? new WorkerBatch(shape, () => this.pool.pin(id)) : async (feeds) => this.pool.run(id, feeds, { transfer: true, timeoutMs: 0 }),
      (type, data, dims) => makeTensorLike(type, data, dims),
      {
        maxBatch: settingNumber(this.config, 'GENERATION_MAX_BATCH'),
        cacheBytes: settingNumber(this.config, 'GENERATION_KV_CACHE_MB') * 2 ** 20,
        maxWaiting: settingNumber(this.config, 'GENERATION_MAX_WAITING'),
        prefixCacheBytes: settingNumber(this.config, 'GENERATION_PREFIX_CACHE_MB') * 2 ** 20,
      },
      this.metrics.observer(id),
    );
    this.metrics.track(id, () => engine.getStats());
    const defaults = generationConfigDefaults(d.generationConfig);
    this.logger.log(`Generation engine for ${id}: ${shape.layers} layers, ${shape.kvHeads} kv heads x ${shape.headDim}, context ${shape.contextLength}, chat template ${resolved.source}`);
    return {
      id,
      loadedAt: status.loadedAt,
      shape,
      engine,
      tokenizer,
      chat: ChatTemplate.fromResolved(resolved),
      chatStops: resolved.stopStrings,
      specialTokens: specialTokensFromConfig(d.tokenizerConfig),
      defaults,
      startTokenId: [d.generationConfig?.bos_token_id, d.config?.bos_token_id].find((x): x is number => Number.isInteger(x)) ?? defaults.eosTokenIds[0],
      grammars: new GrammarCache(),
    };
  }
}

