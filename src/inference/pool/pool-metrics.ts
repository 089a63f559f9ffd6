import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ExecutionProvider } from '../runtime/ort';
import type { QueueObserver } from './model-queue';

const ERROR_KINDS: Parameters<QueueObserver['error']>[0][] = ['overloaded', 'timeout', 'cancelled', 'run'];
const PROVIDERS: ExecutionProvider[] = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml'];

/** Per-model inference metrics on /metrics: queue depth, batch sizes, queue wait, run time, errors. */
export class PoolMetrics {
  private readonly depth: Gauge<'model'>;
  private readonly batchSize: Histogram<'model'>;
  private readonly wait: Histogram<'model'>;
  private readonly run: Histogram<'model'>;
  private readonly errors: Counter<'model' | 'kind'>;
  private readonly requests: Counter<'model'>;
  readonly loaded: Gauge<'model' | 'provider'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.depth = new Gauge({ name: 'llmos_inference_queue_depth', help: 'Requests waiting in the model queue', labelNames: ['model'], registers });
    this.batchSize = new Histogram({ name: 'llmos_inference_batch_size', help: 'Rows per model run', labelNames: ['model'], buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers });
    this.wait = new Histogram({ name: 'llmos_inference_queue_wait_seconds', help: 'Time a request waited before its run started', labelNames: ['model'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers });
    this.run = new Histogram({ name: 'llmos_inference_run_seconds', help: 'Duration of one model run (one batch)', labelNames: ['model'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers });
    this.errors = new Counter({ name: 'llmos_inference_errors_total', help: 'Inference requests that failed, by kind (overloaded, timeout, cancelled, run)', labelNames: ['model', 'kind'], registers });
    this.requests = new Counter({ name: 'llmos_inference_requests_total', help: 'Inference requests completed', labelNames: ['model'], registers });
    this.loaded = new Gauge({ name: 'llmos_inference_model_loaded', help: '1 when the model is loaded, by execution provider', labelNames: ['model', 'provider'], registers });
  }

  /** Drops every series of a model that left the pool (a project's evicted NLU model), so series do not pile up. */
  forget(model: string): void {
    for (const m of [this.depth, this.batchSize, this.wait, this.run, this.requests]) m.remove({ model });
    for (const kind of ERROR_KINDS) this.errors.remove({ model, kind });
    for (const provider of PROVIDERS) this.loaded.remove({ model, provider });
  }

  observer(model: string): QueueObserver {
    return {
      depth: (d) => this.depth.set({ model }, d),
      batch: (size, waits, runSeconds) => {
        this.batchSize.observe({ model }, size);
        this.run.observe({ model }, runSeconds);
        for (const w of waits) this.wait.observe({ model }, w);
        this.requests.inc({ model }, waits.length);
      },
      error: (kind) => this.errors.inc({ model, kind }),
    };
  }
}
