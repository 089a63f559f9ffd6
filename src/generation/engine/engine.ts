import { BadInputError, CancelledError, OverloadedError } from '../../common/errors';
import type { TensorLike } from '../../inference/pool/batch-tensors';
import type { CausalLmShape } from './model-shape';
import { DEFAULT_PREFILL_LIMITS, planPrefill, PrefillPlanLimits } from './prefill-plan';
import { PrefixCache, PrefixCacheStats, PrefixMatch } from './prefix-cache';
import { BatchModel, KvLayout, KvRows, MakeTensor, PrefillResult, ResidentBatch, StepRunner } from './resident-batch';
import { FinishReason, Sequence } from './sequence';

export type { MakeTensor, StepRunner };

export interface EngineLimits {
  /** most sequences decoding together */
  maxBatch: number;
  /** KV cache budget in bytes; sequences wait in the queue beyond it */
  cacheBytes: number;
  /** most sequences waiting to start; beyond it requests get 503 */
  maxWaiting: number;
  /** how joining sequences are grouped into prefill runs (defaults: DEFAULT_PREFILL_LIMITS) */
  prefill?: PrefillPlanLimits;
  /** prefix cache budget in bytes (0 or absent: off), see prefix-cache.ts */
  prefixCacheBytes?: number;
  /** tokens per prefix-cache block (default 16) */
  prefixBlockTokens?: number;
}

export interface EngineStats {
  active: number;
  waiting: number;
  cacheBytes: number;
  cacheLimitBytes: number;
  cacheLength: number;
  steps: number;
  /** sequences prefilled (several can share one prefill run) */
  prefills: number;
  tokensGenerated: number;
  finished: Record<string, number>;
  prefixCache: PrefixCacheStats;
}

/** A sequence joining the batch, with the cached prefix of its prompt found at admission. */
interface Joining {
  seq: Sequence;
  cached: PrefixMatch;
}

/** A sequence that left the engine, as its observer sees it. */
export interface FinishedSequence {
  reason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** from submit to finish */
  e2eSeconds: number;
  /** from submit to its first sampled token; undefined when it ended before one */
  ttftSeconds?: number;
}

/**
 * What the engine reports while it runs (metrics hang on it, the engine imports none).
 * Hooks run on the engine's critical path: they must be cheap and must not throw.
 */
export interface EngineObserver {
  /** a sequence's first token was sampled, `seconds` after it was submitted */
  firstToken?(seconds: number): void;
  /** tokens sampled by one model run */
  tokens?(count: number): void;
  /** a sequence finished (once per sequence, whatever the reason) */
  finished?(s: FinishedSequence): void;
}

/**
 * Continuous batching for one causal LM. All active sequences advance together, one
 * decode step per model run; new sequences are prefilled in groups (one run per group of
 * similar prompt lengths) and join between steps; finished or cancelled ones leave at
 * once and free their cache rows. Left padding, the attention mask and per-sequence
 * position ids keep each sequence's tokens the same as if it ran alone. Between runs
 * only sampling is on the critical path: detokenization, stop strings and events run
 * while the model (in its worker thread) computes the next step. The batch's KV cache
 * lives with the model (a BatchModel: in the session worker when served, see
 * resident-batch.ts); the engine keeps its layout. Plain TypeScript: the model is
 * injected, or a bare model run, whose cache then stays in this thread.
 */
export class GenerationEngine {
  private readonly waiting: Sequence[] = [];
  private active: Sequence[] = [];
  /** sequences with a recorded token whose text and events are still to come (see flushEmits) */
  private emitQueue: Sequence[] = [];
  private readonly model: BatchModel;
  /** the batch cache's layout (its data is the model's) */
  private layout: KvLayout = { pads: [], length: 0 };
  /** the model holds a batch (see BatchModel.open) */
  private open = false;
  private readonly prefixes: PrefixCache;
  private running = false;
  private stats = { steps: 0, prefills: 0, tokensGenerated: 0, finished: {} as Record<string, number> };

  constructor(
    readonly modelId: string,
    private readonly shape: CausalLmShape,
    model: BatchModel | StepRunner,
    private readonly make: MakeTensor,
    private limits: EngineLimits,
    private readonly observer: EngineObserver = {},
  ) {
    this.model = typeof model === 'function' ? new ResidentBatch(shape, model, make) : model;
    this.prefixes = new PrefixCache(shape, this.prefixBudget(limits), limits.prefixBlockTokens);
  }

  /**
   * A graph without position_ids derives positions from the past's length, which a
   * left-padded past would shift: its prefix cache stays off.
   */
  private prefixBudget(limits: EngineLimits): number {
    return this.shape.hasPositionIds ? (limits.prefixCacheBytes ?? 0) : 0;
  }

  /** Queues a sequence; it starts when there is room in the batch and the cache budget. */
  submit(seq: Sequence): void {
    const need = this.worstCaseTokens(seq) * this.shape.bytesPerToken;
    if (need > this.limits.cacheBytes) {
      throw new BadInputError(
        `This request needs up to ${mb(need)} MB of KV cache (prompt ${seq.promptIds.length} + max_tokens ${seq.maxTokens} tokens); the limit is ${mb(this.limits.cacheBytes)} MB (GENERATION_KV_CACHE_MB)`,
        { param: 'max_tokens' },
      );
    }
    if (this.waiting.length >= this.limits.maxWaiting) {
      throw new OverloadedError(`Generation model ${this.modelId} has ${this.waiting.length} requests waiting (limit ${this.limits.maxWaiting}); retry shortly`, 2);
    }
    seq.timing.submitted = performance.now();
    this.waiting.push(seq);
    seq.signal?.addEventListener('abort', () => this.kick(), { once: true });
    this.kick();
  }

  getStats(): EngineStats {
    return {
      active: this.active.length,
      waiting: this.waiting.length,
      cacheBytes: this.layout.pads.length * this.layout.length * this.shape.layers * 2 * this.shape.kvHeads * this.shape.headDim * 4,
      cacheLimitBytes: this.limits.cacheBytes,
      cacheLength: this.layout.length,
      ...this.stats,
      finished: { ...this.stats.finished },
      prefixCache: this.prefixes.stats(),
    };
  }

  setLimits(limits: EngineLimits): void {
    this.limits = limits;
    this.prefixes.setLimit(this.prefixBudget(limits));
  }

  /** Resolves when nothing is running or waiting. */
  async idle(): Promise<void> {
    while (this.running || this.waiting.length) await new Promise((r) => setTimeout(r, 5));
  }

  private worstCaseTokens(seq: Sequence): number {
    return Math.min(seq.promptIds.length + seq.maxTokens, this.shape.contextLength);
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    // Start on the next turn, so sequences submitted together (a request's n choices, a
    // burst of requests) are admitted together and share a prefill run.
    setImmediate(() => {
      void this.loop().finally(() => {
        this.running = false;
        if (this.waiting.length) this.kick();
      });
    });
  }

  private async loop(): Promise<void> {
    while (true) {
      this.dropCancelledWaiting();
      await this.removeFinished();
      const admitted = this.admit().map((seq) => ({ seq, cached: this.prefixes.lookup(seq.promptIds) }));
      // Grouped by the tokens left to compute: a cached prefix costs no prefill.
      for (const group of planPrefill(admitted, (j) => j.seq.promptIds.length - j.cached.tokens, this.limits.prefill ?? DEFAULT_PREFILL_LIMITS)) await this.prefill(group);
      await this.removeFinished();
      if (this.active.length === 0) {
        this.closeBatch();
        this.flushEmits();
        if (this.waiting.length === 0) return;
        continue;
      }
      await this.decodeStep();
    }
  }

  /** Moves waiting sequences into the batch while the batch size and cache budget allow. */
  private admit(): Sequence[] {
    const admitted: Sequence[] = [];
    while (this.waiting.length && this.active.length + admitted.length < this.limits.maxBatch) {
      const next = this.waiting[0];
      const members = [...this.active, ...admitted, next];
      // Rows are left-padded to the longest, so the batch costs rows x longest.
      const projected = members.length * Math.max(...members.map((s) => this.worstCaseTokens(s))) * this.shape.bytesPerToken;
      if (projected > this.limits.cacheBytes && this.active.length + admitted.length > 0) break;
      admitted.push(this.waiting.shift()!);
    }
    return admitted;
  }

  private dropCancelledWaiting(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i].cancelled) this.end(this.waiting.splice(i, 1)[0], 'cancelled', new CancelledError());
    }
  }

  private end(seq: Sequence, reason: FinishReason, error?: Error): void {
    if (seq.finish(reason, false, error)) this.ended(seq);
  }

  /** Counts a sequence that has just finished and reports it. */
  private ended(seq: Sequence): void {
    const reason = seq.finished!;
    this.stats.finished[reason] = (this.stats.finished[reason] ?? 0) + 1;
    if (!this.observer.finished) return;
    const { submitted = 0, firstToken } = seq.timing;
    this.observer.finished({
      reason,
      promptTokens: seq.promptIds.length,
      completionTokens: seq.generated.length,
      e2eSeconds: (performance.now() - submitted) / 1000,
      ttftSeconds: firstToken === undefined ? undefined : (firstToken - submitted) / 1000,
    });
  }

  /** Reports the tokens sampled since `before` (a reading of tokensGenerated). */
  private reportTokens(before: number): void {
    const n = this.stats.tokensGenerated - before;
    if (n > 0) this.observer.tokens?.(n);
  }

  /**
   * One run for a group of joining sequences, then each row's first token. Each row feeds
   * the model its last N prompt tokens (N: the group's longest uncached part), with the
   * earlier ones as past keys and values copied from the prefix cache; rows shorter than N
   * are left-padded (padding is masked out and its positions are never read), and so is
   * the past of rows with less of it. A row's real tokens are thus always its last
   * columns, as in the batch cache, and tokens at the same positions are the same model
   * computation with or without a cached prefix.
   */
  private async prefill(group: Joining[]): Promise<void> {
    const G = group.length;
    const lens = group.map((j) => j.seq.promptIds.length);
    const N = Math.max(...group.map((j, r) => lens[r] - j.cached.tokens));
    // past tokens per row: what the N fed tokens do not cover (never more than was cached)
    const pasts = lens.map((len) => Math.max(0, len - N));
    const P = Math.max(...pasts);
    const L = P + N;
    const { layers, kvHeads, headDim } = this.shape;
    const ids = new BigInt64Array(G * N);
    const mask = new BigInt64Array(G * L);
    // Padding positions get 1, as Hugging Face does for left-padded batches; they are masked anyway.
    const positions = new BigInt64Array(G * N).fill(1n);
    const pastKeys = Array.from({ length: layers }, () => new Float32Array(G * kvHeads * P * headDim));
    const pastValues = Array.from({ length: layers }, () => new Float32Array(G * kvHeads * P * headDim));
    group.forEach(({ seq, cached }, r) => {
      const fed = lens[r] - pasts[r];
      for (let j = 0; j < fed; j++) {
        ids[r * N + N - fed + j] = BigInt(seq.promptIds[pasts[r] + j]);
        positions[r * N + N - fed + j] = BigInt(pasts[r] + j);
      }
      mask.fill(1n, r * L + L - lens[r], (r + 1) * L);
      if (pasts[r] > 0) this.prefixes.copyInto(cached, pasts[r], pastKeys, pastValues, r, P, P - pasts[r]);
    });
    const feeds: Record<string, TensorLike> = {
      input_ids: this.make('int64', ids, [G, N]),
      attention_mask: this.make('int64', mask, [G, L]),
    };
    if (this.shape.hasPositionIds) feeds.position_ids = this.make('int64', positions, [G, N]);
    for (let i = 0; i < layers; i++) {
      feeds[`past_key_values.${i}.key`] = this.make('float32', pastKeys[i], [G, kvHeads, P, headDim]);
      feeds[`past_key_values.${i}.value`] = this.make('float32', pastValues[i], [G, kvHeads, P, headDim]);
    }
    let out: PrefillResult;
    try {
      await this.openBatch();
      out = await this.overlapped(() => this.model.prefill(feeds, this.prefixes.enabled));
    } catch (err) {
      for (const { seq } of group) this.end(seq, 'error', err as Error);
      return;
    }
    this.stats.prefills += G;
    const present = out.present;
    if (present) group.forEach(({ seq }, r) => this.prefixes.insert(seq.promptIds, { keys: present.keys, values: present.values, row: r, srcLen: L, start: L - lens[r] }));
    const V = this.shape.vocabSize;
    const logits = out.logits.data;
    // [G, N, V] from a plain export, [G, 1, V] when the pool trimmed it to the last position
    const S = out.logits.dims[1];
    const joining: number[] = [];
    const before = this.stats.tokensGenerated;
    group.forEach(({ seq }, r) => {
      if (seq.cancelled) {
        this.end(seq, 'cancelled', new CancelledError());
        return;
      }
      // Left padding: every row's last prompt token is in the last column.
      const at = (r * S + S - 1) * V;
      if (!this.sample(seq, logits.subarray(at, at + V))) joining.push(r);
    });
    this.reportTokens(before);
    if (joining.length === 0) return;
    try {
      this.layout = await this.model.join(joining, joining.map((r) => lens[r]));
    } catch (err) {
      for (const r of joining) this.end(group[r].seq, 'error', err as Error);
      return;
    }
    for (const r of joining) this.active.push(group[r].seq);
  }

  private async openBatch(): Promise<void> {
    if (this.open) return;
    await this.model.open();
    this.open = true;
  }

  /** The batch is empty: the model's replica may go (a reload waits for it). */
  private closeBatch(): void {
    if (!this.open) return;
    this.model.close();
    this.open = false;
  }

  /**
   * Picks a row's next token and records it, which is all the next step needs; its text,
   * stop strings and events wait for `flushEmits`. Returns true when the sequence ends with it.
   */
  private sample(seq: Sequence, row: Float32Array): boolean {
    const mask = seq.constraint?.mask();
    if (mask && mask.extra.length === 0 && mask.bits.every((w) => w === 0)) {
      // The grammar needs a character no token of the vocabulary spells on its own (e.g. a CJK
      // character that a byte-level vocabulary has only as partial bytes): the request's fault.
      this.end(seq, 'error', new BadInputError(`The structured output needs a character that no token of ${this.modelId}'s vocabulary provides whole; simplify the schema's literals`, { param: 'response_format' }));
      return true;
    }
    const token = seq.sampler.next(row, { promptIds: seq.promptIds, generatedIds: seq.generated }, mask);
    if (seq.generated.length === 0) {
      seq.timing.firstToken = performance.now();
      this.observer.firstToken?.((seq.timing.firstToken - (seq.timing.submitted ?? 0)) / 1000);
    }
    this.stats.tokensGenerated++;
    this.emitQueue.push(seq);
    return seq.record(token, this.shape.contextLength);
  }

  /**
   * Starts a model run, then emits the recorded tokens while the worker computes: their
   * detokenization and the readers they wake then cost no step time. A sequence that a
   * stop string ends here is already in the started step; its row of the result is ignored.
   */
  private overlapped<T>(start: () => Promise<T>): Promise<T> {
    const result = start();
    this.flushEmits();
    return result;
  }

  private flushEmits(): void {
    for (const seq of this.emitQueue.splice(0)) if (seq.emit()) this.ended(seq);
  }

  private async decodeStep(): Promise<void> {
    const V = this.shape.vocabSize;
    const ids = BigInt64Array.from(this.active, (s) => BigInt(s.lastToken));
    const positions = this.shape.hasPositionIds ? BigInt64Array.from(this.active, (s) => BigInt(s.position)) : undefined;
    let logits: Float32Array;
    try {
      logits = await this.overlapped(() => this.model.decode(ids, positions));
    } catch (err) {
      // A failed step leaves the cache unusable (the model has dropped it): end every active sequence.
      this.failBatch(err as Error);
      return;
    }
    this.stats.steps++;
    this.layout.length++;
    const before = this.stats.tokensGenerated;
    this.active.forEach((seq, r) => {
      seq.position++;
      if (seq.done || seq.cancelled) return;
      this.sample(seq, logits.subarray(r * V, (r + 1) * V));
    });
    this.reportTokens(before);
  }

  private failBatch(err: Error): void {
    for (const s of this.active) this.end(s, 'error', err);
    this.active = [];
    this.layout = { pads: [], length: 0 };
  }

  /** Finished, ending and cancelled sequences leave the batch; their cache rows are freed. */
  private async removeFinished(): Promise<void> {
    const keep: number[] = [];
    this.active.forEach((s, i) => {
      if (!s.done && s.cancelled) this.end(s, 'cancelled', new CancelledError());
      if (!s.done) keep.push(i);
    });
    if (keep.length === this.active.length) return;
    const kept = new Set(keep);
    const read = this.prefixes.enabled ? this.active.map((_, r) => r).filter((r) => !kept.has(r) && this.active[r].finished !== 'error') : [];
    const before = { active: this.active, layout: this.layout };
    this.active = keep.map((i) => before.active[i]);
    try {
      const res = await this.model.keep(keep, read);
      this.layout = res.layout;
      if (res.read) this.cacheConversation(before.active, before.layout, read, res.read);
    } catch (err) {
      this.failBatch(err as Error);
    }
  }

  /**
   * Leaving sequences' prompt and generated tokens join the prefix cache (a conversation's
   * next turn starts with them). Their cache row (`rows`: the `read` rows of the batch,
   * in order) holds every token fed so far: the prompt and the generated tokens but the
   * last, or all of them when a stop string ended the sequence while its last token was being fed.
   */
  private cacheConversation(active: Sequence[], layout: KvLayout, read: number[], rows: KvRows): void {
    read.forEach((r, i) => {
      const seq = active[r];
      const start = layout.pads[r];
      const ids = [...seq.promptIds, ...seq.generated].slice(0, layout.length - start);
      this.prefixes.insert(ids, { keys: rows.keys, values: rows.values, row: i, srcLen: rows.length, start });
    });
  }
}

const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20);
