import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { BadInputError, NotFoundError, UnavailableError } from '../common/errors';
import type { PinnedReplica } from '../generation/engine/resident-batch';
import { AppConfig, settingBool, settingList } from '../config/app-config';
import { ReadinessService } from '../health/readiness.service';
import { MetricsService } from '../metrics/metrics.service';
import { Feeds, TensorLike } from './pool/batch-tensors';
import { ModelQueue, QueuePolicy, SubmitOptions } from './pool/model-queue';
import { PoolMetrics } from './pool/pool-metrics';
import { warmupFeeds } from './pool/warmup';
import { WorkerReplica } from './pool/worker-replica';
import { ExecutionProvider, IoInfo, makeTensorLike, Tensor } from './runtime/ort';
import { servingDefaults } from './inference.config';
import { ModelDescriptor, ModelProblem, scanModelStore } from './store/model-store';

export type ModelState = 'unloaded' | 'loading' | 'ready' | 'unloading' | 'failed';

export interface ModelStats {
  queueDepth: number;
  inFlight: number;
  completed: number;
  batches: number;
  averageBatchSize: number;
}

export interface ModelStatus {
  id: string;
  task: string;
  source: 'store' | 'builtin';
  /** the project a built-in model belongs to (absent: shared by every project) */
  project?: string;
  state: ModelState;
  provider?: ExecutionProvider;
  requestedProviders: ExecutionProvider[];
  fallbacks: { provider: ExecutionProvider; reason: string }[];
  replicas: number;
  inputs: IoInfo[];
  outputs: IoInfo[];
  batching: { enabled: boolean; maxBatchSize: number; maxQueueDelayMs: number; maxQueueSize: number };
  loadedAt?: Date;
  loadMs?: number;
  error?: string;
  stats: ModelStats;
}

interface Entry {
  descriptor: ModelDescriptor;
  state: ModelState;
  queue: ModelQueue;
  replicas: WorkerReplica[];
  io: { inputs: IoInfo[]; outputs: IoInfo[] };
  provider?: ExecutionProvider;
  fallbacks: { provider: ExecutionProvider; reason: string }[];
  loadedAt?: Date;
  loadMs?: number;
  error?: string;
  /** lifecycle operations (load, unload) of one model run one after another */
  op: Promise<unknown>;
}

export type RunOptions = SubmitOptions;

/**
 * The shared ONNX Runtime pool: every module that runs a model goes through `run`.
 * Per model: N session replicas, a bounded priority queue with dynamic batching, hot
 * load/unload that drops no in-flight request, and metrics.
 */
@Injectable()
export class InferencePool implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('InferencePool');
  private readonly entries = new Map<string, Entry>();
  private readonly metrics: PoolMetrics;
  private problems: ModelProblem[] = [];
  private replicaIds = 0;
  /** resolves when start-up loading has finished (tests and readiness wait on it) */
  startup: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
    private readonly readiness: ReadinessService,
  ) {
    this.metrics = new PoolMetrics(metrics.registry);
  }

  onApplicationBootstrap(): void {
    this.rescan();
    this.readiness.register('models', async () => this.readinessCheck());
    const autoload = settingBool(this.config, 'INFERENCE_AUTOLOAD');
    const toLoad = [...this.entries.values()].filter((e) => autoload && e.descriptor.serving.autoload);
    this.startup = Promise.all(toLoad.map((e) => this.load(e.descriptor.id).catch(() => undefined))).then(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.unload(id).catch(() => undefined)));
  }

  /** Re-reads the model store: new folders are registered, invalid ones reported (never fatal). */
  rescan(): ModelProblem[] {
    const scan = scanModelStore(this.config.modelsDir, servingDefaults(this.config));
    for (const d of scan.models) if (!this.entries.has(d.id)) this.register(d);
    for (const p of scan.problems) {
      if (!this.problems.some((q) => q.file === p.file && q.message === p.message)) {
        this.logger.warn(`Model store: skipping ${p.id}: ${p.message} (${p.file})`);
      }
    }
    this.problems = scan.problems;
    return scan.problems;
  }

  get storeProblems(): ModelProblem[] {
    return this.problems;
  }

  /** Adds (or replaces the descriptor of) a model; built-in models are registered from bytes. */
  register(descriptor: ModelDescriptor): void {
    const existing = this.entries.get(descriptor.id);
    if (existing) {
      existing.descriptor = descriptor;
      existing.queue.setPolicy(this.policy(descriptor, existing.io));
      return;
    }
    const entry: Entry = {
      descriptor,
      state: 'unloaded',
      queue: new ModelQueue(descriptor.id, this.policy(descriptor, { inputs: [], outputs: [] }), makeTensorLike, this.metrics.observer(descriptor.id)),
      replicas: [],
      io: { inputs: [], outputs: [] },
      fallbacks: [],
      op: Promise.resolve(),
    };
    this.entries.set(descriptor.id, entry);
  }

  /**
   * A loaded model of `task` chosen by a setting: `auto` = the first (by id), `none` or
   * empty = no model, else that id if it is loaded with that task.
   */
  pickLoaded(task: string, wanted: string): string | undefined {
    if (wanted === 'none' || wanted === '') return undefined;
    const models = this.list().filter((m) => m.task === task && m.state === 'ready');
    return wanted === 'auto' ? models[0]?.id : models.find((m) => m.id === wanted)?.id;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  descriptor(id: string): ModelDescriptor {
    return this.entry(id).descriptor;
  }

  list(): ModelStatus[] {
    return [...this.entries.keys()].sort().map((id) => this.status(id));
  }

  status(id: string): ModelStatus {
    const e = this.entry(id);
    const s = e.descriptor.serving;
    return {
      id,
      task: e.descriptor.task,
      source: e.descriptor.source,
      ...(e.descriptor.projectId ? { project: e.descriptor.projectId } : {}),
      state: e.state,
      provider: e.provider,
      requestedProviders: s.executionProviders,
      fallbacks: e.fallbacks,
      replicas: e.replicas.length,
      inputs: e.io.inputs,
      outputs: e.io.outputs,
      batching: { enabled: e.queue.currentPolicy.batching, maxBatchSize: s.batching.maxBatchSize, maxQueueDelayMs: s.batching.maxQueueDelayMs, maxQueueSize: s.batching.maxQueueSize },
      loadedAt: e.loadedAt,
      loadMs: e.loadMs,
      error: e.error,
      stats: this.stats(id),
    };
  }

  stats(id: string): ModelStats {
    const q = this.entry(id).queue;
    return { queueDepth: q.depth, inFlight: q.running, completed: q.completed, batches: q.batches, averageBatchSize: q.batches ? Math.round((q.completed / q.batches) * 100) / 100 : 0 };
  }

  /** Loads the model, or reloads it with fresh sessions while the old ones keep serving. */
  load(id: string): Promise<ModelStatus> {
    const e = this.entry(id);
    const op = e.op.then(() => this.doLoad(e));
    e.op = op.catch(() => undefined);
    return op.then(() => this.status(id));
  }

  /** Stops taking requests, lets queued and running ones finish, then frees the sessions. */
  unload(id: string): Promise<ModelStatus> {
    const e = this.entry(id);
    const op = e.op.then(() => this.doUnload(e));
    e.op = op.catch(() => undefined);
    return op.then(() => this.status(id));
  }

  /**
   * Unloads a built-in model and drops it from the pool altogether (a project's NLU model
   * evicted or deleted: thousands of projects must not leave thousands of entries behind).
   */
  async forget(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    if (e.descriptor.source !== 'builtin') throw new Error(`Only built-in models can be forgotten (${id} is in the model store)`);
    const done = this.unload(id);
    const mine = e.op;
    await done;
    // A load queued meanwhile (the same version wanted again) keeps the entry.
    if (this.entries.get(id) === e && e.op === mine && e.state === 'unloaded') {
      this.entries.delete(id);
      this.metrics.forget(id);
    }
  }

  /** Runs the model on `feeds` through its queue (batched with other requests when enabled). */
  async run(id: string, feeds: Record<string, TensorLike>, options: RunOptions = {}): Promise<Record<string, Tensor>> {
    const e = this.ready(id);
    this.checkFeeds(e, feeds);
    return (await e.queue.submit(feeds, options)) as Record<string, Tensor>;
  }

  /**
   * Pins a replica of a generation model to one engine's batch, whose KV cache then stays
   * in that replica's worker (calls go to it directly, outside the queue). A reload
   * releases the old replica once it is unpinned, so the batch finishes where it began; an
   * unload does not wait: the batch's next call fails, as a run through the queue would.
   */
  pin(id: string): PinnedReplica {
    const e = this.ready(id);
    const replica = e.replicas.reduce((a, b) => (b.pinned < a.pinned ? b : a));
    const pinned = replica.pin();
    return {
      unpin: pinned.unpin,
      call: (call, transfer) =>
        pinned.call(call, transfer).catch((err: Error) => {
          // what a run through the queue of an unloaded model answers
          if (replica.released) throw new UnavailableError(`Model ${id} was unloaded while this request was generating; an admin can POST /api/v1/models/${id}/load`);
          throw err;
        }),
    };
  }

  private ready(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new NotFoundError(`No model named ${id}; GET /api/v1/models lists the installed models`);
    if (e.state !== 'ready') {
      const hint = e.state === 'failed' ? `failed to load: ${e.error}` : e.state === 'loading' ? 'still loading' : `${e.state}; an admin can POST /api/v1/models/${id}/load`;
      throw new UnavailableError(`Model ${id} is not available: ${hint}`, undefined, e.state === 'loading' ? 2 : undefined);
    }
    return e;
  }

  private checkFeeds(e: Entry, feeds: Record<string, TensorLike>): void {
    const expected = e.io.inputs.map((i) => i.name);
    const missing = expected.filter((n) => !(n in feeds));
    const unknown = Object.keys(feeds).filter((n) => !expected.includes(n));
    if (missing.length || unknown.length) {
      throw new BadInputError(`Inputs do not match model ${e.descriptor.id}: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `unknown ${unknown.join(', ')}` : ''}`, { expected });
    }
  }

  private async doLoad(e: Entry): Promise<void> {
    const d = e.descriptor;
    const started = performance.now();
    if (e.state !== 'ready') e.state = 'loading';
    const fresh: WorkerReplica[] = [];
    try {
      const settings = {
        executionProviders: d.serving.executionProviders,
        intraOpNumThreads: d.serving.intraOpThreads || undefined,
        interOpNumThreads: d.serving.interOpThreads || undefined,
        graphOptimizationLevel: d.serving.graphOptimizationLevel,
        enableCpuMemArena: d.serving.enableCpuMemArena,
        allowSpinning: d.serving.allowSpinning,
      };
      for (let i = 0; i < d.serving.replicas; i++) {
        // Generation reads only the last position's logits: let the graph compute only those.
        const transform = d.task === 'text-generation' ? 'last-token-logits' : undefined;
        const replica = await WorkerReplica.create(this.replicaIds++, d.onnx, settings, transform).catch((err: Error) => {
          throw new Error(`${typeof d.onnx === 'string' ? d.onnx : `built-in model ${d.id}`} could not be loaded: ${err.message.split('\n')[0]}`);
        });
        if (i === 0 && replica.fallbacks.length) {
          this.logger.warn(`Model ${d.id}: ${replica.fallbacks.map((f) => `${f.provider} unavailable (${f.reason})`).join('; ')}; running on ${replica.provider}`);
        }
        if (i === 0 && transform && replica.transformed) this.logger.log(`Model ${d.id}: logits computed for the last position only`);
        fresh.push(replica);
        e.fallbacks = replica.fallbacks;
      }
      const io = fresh[0].io;
      const warm = warmupFeeds(io.inputs, makeTensorLike);
      if (warm) {
        for (const r of fresh) {
          await r.run(warm).catch((err: Error) => this.logger.warn(`Model ${d.id}: warm-up run failed (${err.message.split('\n')[0]}); serving anyway`));
        }
      }
      const old = e.replicas;
      e.io = io;
      e.queue.setPolicy(this.policy(d, io));
      e.queue.setReplicas(fresh);
      e.replicas = fresh;
      e.provider = fresh[0].provider;
      e.state = 'ready';
      e.error = undefined;
      e.loadedAt = new Date();
      e.loadMs = Math.round(performance.now() - started);
      if (old.length) this.metrics.loaded.remove({ model: d.id, provider: old[0].provider });
      this.metrics.loaded.set({ model: d.id, provider: e.provider }, 1);
      this.logger.log(`Model ${d.id} (${d.task}) loaded on ${e.provider} with ${fresh.length} replica(s) in ${e.loadMs} ms`);
      await Promise.all(old.map((r) => r.release()));
    } catch (err) {
      await Promise.all(fresh.map((r) => r.release().catch(() => undefined)));
      e.error = (err as Error).message;
      if (e.replicas.length === 0) e.state = 'failed';
      this.logger.error(`Model ${d.id}: ${e.error}`);
      throw new UnavailableError(`Model ${d.id} failed to load: ${e.error}`);
    }
  }

  private async doUnload(e: Entry): Promise<void> {
    if (e.replicas.length === 0) {
      e.state = 'unloaded';
      return;
    }
    e.state = 'unloading';
    await e.queue.idle();
    const old = e.replicas;
    e.replicas = [];
    e.queue.setReplicas([]);
    // Running generation batches are not waited for (a shutdown must end): they end with an error.
    await Promise.all(old.map((r) => r.release(false)));
    if (e.provider) this.metrics.loaded.remove({ model: e.descriptor.id, provider: e.provider });
    e.state = 'unloaded';
    this.logger.log(`Model ${e.descriptor.id} unloaded`);
  }

  private policy(d: ModelDescriptor, io: { inputs: IoInfo[]; outputs: IoInfo[] }): QueuePolicy {
    const padding = this.padding(d, io);
    const seqDims = new Set(io.inputs.filter((i) => i.name in padding && typeof i.shape[1] === 'string').map((i) => i.shape[1] as string));
    // The generation engine forms its own batches (continuous batching); it only needs the queue.
    const batching = d.serving.batching.enabled && d.task !== 'text-generation';
    return {
      batching,
      maxBatchSize: d.serving.batching.maxBatchSize,
      maxQueueDelayMs: d.serving.batching.maxQueueDelayMs,
      maxQueueSize: d.serving.batching.maxQueueSize,
      maxInFlightPerReplica: 1,
      padding,
      sequenceOutputs: new Set(io.outputs.filter((o) => typeof o.shape[1] === 'string' && seqDims.has(o.shape[1] as string)).map((o) => o.name)),
      defaultTimeoutMs: d.serving.timeoutMs,
    };
  }

  /** Token inputs pad with the model's pad id and a zero mask; llmos.json may add or override. */
  private padding(d: ModelDescriptor, io: { inputs: IoInfo[] }): Record<string, number> {
    const names = new Set(io.inputs.map((i) => i.name));
    const cfg = { ...d.tokenizerConfig, ...d.generationConfig, ...d.config } as Record<string, unknown>;
    const padId = [cfg.pad_token_id, cfg.eos_token_id, 0].find((v) => typeof v === 'number') as number;
    const defaults: Record<string, number> = { input_ids: padId, attention_mask: 0, token_type_ids: 0 };
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries({ ...defaults, ...d.serving.padding })) if (names.has(k)) out[k] = v;
    return out;
  }

  private readinessCheck(): { ready: boolean; details: Record<string, unknown> } {
    const requiredIds = new Set([...settingList(this.config, 'INFERENCE_REQUIRED_MODELS'), ...[...this.entries.values()].filter((e) => e.descriptor.serving.required).map((e) => e.descriptor.id)]);
    const required = [...requiredIds].sort();
    const notReady = required.filter((id) => this.entries.get(id)?.state !== 'ready');
    return {
      ready: notReady.length === 0,
      details: {
        required,
        loaded: [...this.entries.values()].filter((e) => e.state === 'ready').map((e) => e.descriptor.id).sort(),
        ...(notReady.length ? { notReady } : {}),
        ...(this.problems.length ? { invalid: this.problems.map((p) => `${p.file}: ${p.message}`) } : {}),
      },
    };
  }

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new NotFoundError(`No model named ${id}; GET /api/v1/models lists the installed models`);
    return e;
  }
}

export type { Feeds };
