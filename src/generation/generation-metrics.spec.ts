import { Registry } from 'prom-client';
import type { EngineStats } from './engine/engine';
import { GenerationMetrics } from './generation-metrics';

const PREFIX = { hits: 0, misses: 0, reusedTokens: 0, blocks: 0, bytes: 0, limitBytes: 0, evictions: 0, blockTokens: 16 };

const stats = (over: Partial<EngineStats>): EngineStats => ({ active: 0, waiting: 0, cacheBytes: 0, cacheLimitBytes: 1000, cacheLength: 0, steps: 0, prefills: 0, tokensGenerated: 0, finished: {}, prefixCache: PREFIX, ...over });

async function sample(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name.replace(/_(sum|count)$/, ''));
  const wanted = (v: { labels: Record<string, unknown>; metricName?: string }) => (v.metricName ?? metric!.name) === name && Object.entries(labels).every(([k, x]) => v.labels[k] === x);
  return metric?.values.find(wanted)?.value;
}

describe('GenerationMetrics', () => {
  it('derives time per output token from the finish, and times only sequences that completed', async () => {
    const registry = new Registry();
    const metrics = new GenerationMetrics(registry);
    const o = metrics.observer('m');
    o.finished!({ reason: 'length', promptTokens: 3, completionTokens: 5, e2eSeconds: 1.2, ttftSeconds: 0.4 });
    o.finished!({ reason: 'stop', promptTokens: 3, completionTokens: 1, e2eSeconds: 0.3, ttftSeconds: 0.3 });
    o.finished!({ reason: 'cancelled', promptTokens: 3, completionTokens: 2, e2eSeconds: 9, ttftSeconds: 0.1 });
    o.finished!({ reason: 'error', promptTokens: 3, completionTokens: 0, e2eSeconds: 0.1 });
    expect(await sample(registry, 'llmos_generation_time_per_output_token_seconds_sum', { model: 'm' })).toBeCloseTo(0.2, 9);
    expect(await sample(registry, 'llmos_generation_time_per_output_token_seconds_count', { model: 'm' })).toBe(1);
    expect(await sample(registry, 'llmos_generation_e2e_request_latency_seconds_sum', { model: 'm' })).toBeCloseTo(1.5, 9);
    for (const reason of ['length', 'stop', 'cancelled', 'error']) expect(await sample(registry, 'llmos_generation_requests_total', { model: 'm', finish_reason: reason })).toBe(1);
  });

  it('reads running, waiting and cache gauges from the latest engine of each model at scrape time', async () => {
    const registry = new Registry();
    const metrics = new GenerationMetrics(registry);
    let a = stats({ active: 2, waiting: 1, cacheBytes: 250 });
    metrics.track('a', () => a);
    metrics.track('b', () => stats({ active: 9 }));
    metrics.track('b', () => stats({ active: 1 })); // a reload replaced b's engine
    expect(await sample(registry, 'llmos_generation_sequences_running', { model: 'a' })).toBe(2);
    expect(await sample(registry, 'llmos_generation_sequences_running', { model: 'b' })).toBe(1);
    expect(await sample(registry, 'llmos_generation_sequences_waiting', { model: 'a' })).toBe(1);
    expect(await sample(registry, 'llmos_generation_kv_cache_usage_ratio', { model: 'a' })).toBe(0.25);
    a = stats({ cacheBytes: 0 });
    expect(await sample(registry, 'llmos_generation_kv_cache_bytes', { model: 'a' })).toBe(0);
    expect(await sample(registry, 'llmos_generation_sequences_running', { model: 'a' })).toBe(0);
  });

  it('reads the prefix cache counters and bytes from the engine at scrape time', async () => {
    const registry = new Registry();
    const metrics = new GenerationMetrics(registry);
    let s = stats({ prefixCache: { ...PREFIX, hits: 3, misses: 2, reusedTokens: 96, bytes: 4096, evictions: 1 } });
    metrics.track('a', () => s);
    expect(await sample(registry, 'llmos_generation_prefix_cache_hits_total', { model: 'a' })).toBe(3);
    expect(await sample(registry, 'llmos_generation_prefix_cache_misses_total', { model: 'a' })).toBe(2);
    expect(await sample(registry, 'llmos_generation_prefix_cache_reused_tokens_total', { model: 'a' })).toBe(96);
    expect(await sample(registry, 'llmos_generation_prefix_cache_evictions_total', { model: 'a' })).toBe(1);
    expect(await sample(registry, 'llmos_generation_prefix_cache_bytes', { model: 'a' })).toBe(4096);
    s = stats({ prefixCache: { ...PREFIX, hits: 5 } });
    expect(await sample(registry, 'llmos_generation_prefix_cache_hits_total', { model: 'a' })).toBe(5);
  });
});
