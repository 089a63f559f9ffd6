import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineObserver, EngineStats } from './engine/engine';

/** vLLM's buckets, with finer ones below 10 ms for small models on CPU. */
const TTFT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const TPOT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
const E2E_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60];

/**
 * Per-model generation metrics on /metrics, named as vLLM and TGI users scrape them
 * (llmos_ prefix, `model` label). Latencies and token counters come from the engine's
 * observer; running/waiting sequences and the KV cache are read from the engines' stats
 * at scrape time.
 */
export class GenerationMetrics {
  private readonly engines = new Map<string, () => EngineStats>();
  private readonly ttft: Histogram<'model'>;
  private readonly tpot: Histogram<'model'>;
  private readonly e2e: Histogram<'model'>;
  private readonly promptTokens: Counter<'model'>;
  private readonly tokens: Counter<'model'>;
  private readonly requests: Counter<'model' | 'finish_reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.ttft = new Histogram({ name: 'llmos_generation_time_to_first_token_seconds', help: 'Time from a sequence entering the engine to its first token', labelNames: ['model'], buckets: TTFT_BUCKETS, registers });
    this.tpot = new Histogram({ name: 'llmos_generation_time_per_output_token_seconds', help: "Mean time per output token after the first, one observation per finished sequence of two or more tokens", labelNames: ['model'], buckets: TPOT_BUCKETS, registers });
    this.e2e = new Histogram({ name: 'llmos_generation_e2e_request_latency_seconds', help: 'Time from a sequence entering the engine to its end (stop or length)', labelNames: ['model'], buckets: E2E_BUCKETS, registers });
    this.promptTokens = new Counter({ name: 'llmos_generation_prompt_tokens_total', help: 'Prompt tokens of accepted generation requests', labelNames: ['model'], registers });
    this.tokens = new Counter({ name: 'llmos_generation_tokens_total', help: 'Tokens generated (sampled), all sequences', labelNames: ['model'], registers });
    this.requests = new Counter({ name: 'llmos_generation_requests_total', help: 'Finished sequences by finish reason (stop, length, cancelled, error)', labelNames: ['model', 'finish_reason'], registers });
    const engines = this.engines;
    // Read from the engines' stats at scrape time. The counters are the engine's own counts
    // (a reloaded model's engine starts again from 0: a counter reset).
    const fromStats = (kind: 'gauge' | 'counter', name: string, help: string, read: (s: EngineStats) => number) => {
      const collect = function (this: Gauge<'model'> | Counter<'model'>) {
        this.reset();
        for (const [model, stats] of engines) {
          if (this instanceof Gauge) this.set({ model }, read(stats()));
          else this.inc({ model }, read(stats()));
        }
      };
      const spec = { name, help, labelNames: ['model'] as const, registers, collect };
      return kind === 'gauge' ? new Gauge(spec) : new Counter(spec);
    };
    const gauge = (name: string, help: string, read: (s: EngineStats) => number) => fromStats('gauge', name, help, read);
    const counter = (name: string, help: string, read: (s: EngineStats) => number) => fromStats('counter', name, help, read);
    gauge('llmos_generation_sequences_running', 'Sequences decoding in the batch', (s) => s.active);
    gauge('llmos_generation_sequences_waiting', 'Sequences queued for a place in the batch', (s) => s.waiting);
    gauge('llmos_generation_kv_cache_bytes', 'Bytes held by the running batch\'s KV cache', (s) => s.cacheBytes);
    gauge('llmos_generation_kv_cache_usage_ratio', 'KV cache bytes over the budget (GENERATION_KV_CACHE_MB)', (s) => (s.cacheLimitBytes > 0 ? s.cacheBytes / s.cacheLimitBytes : 0));
    gauge('llmos_generation_prefix_cache_bytes', 'Bytes held by the prefix cache (GENERATION_PREFIX_CACHE_MB)', (s) => s.prefixCache.bytes);
    counter('llmos_generation_prefix_cache_hits_total', 'Sequences whose prompt started with a cached prefix', (s) => s.prefixCache.hits);
    counter('llmos_generation_prefix_cache_misses_total', 'Sequences that found no cached prefix (prefix cache on)', (s) => s.prefixCache.misses);
    counter('llmos_generation_prefix_cache_reused_tokens_total', 'Prompt tokens whose keys and values came from the prefix cache instead of a model run', (s) => s.prefixCache.reusedTokens);
    counter('llmos_generation_prefix_cache_evictions_total', 'Prefix cache blocks evicted (least recently used) to stay within the budget', (s) => s.prefixCache.evictions);
  }

  /** Scrapes read this model's running/waiting sequences and cache from `stats` (replaces an earlier engine of the model). */
  track(model: string, stats: () => EngineStats): void {
    this.engines.set(model, stats);
  }

  /** A request was accepted with this many prompt tokens (once per request, whatever its n). */
  prompt(model: string, tokens: number): void {
    this.promptTokens.inc({ model }, tokens);
  }

  observer(model: string): EngineObserver {
    return {
      firstToken: (seconds) => this.ttft.observe({ model }, seconds),
      tokens: (n) => this.tokens.inc({ model }, n),
      finished: (f) => {
        this.requests.inc({ model, finish_reason: f.reason });
        if (f.reason !== 'stop' && f.reason !== 'length') return;
        this.e2e.observe({ model }, f.e2eSeconds);
        if (f.ttftSeconds !== undefined && f.completionTokens > 1) this.tpot.observe({ model }, (f.e2eSeconds - f.ttftSeconds) / (f.completionTokens - 1));
      },
    };
  }
}
