import { Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** The part of a parse result the metrics read (labels stay bounded: no intent names). */
interface ParsedText {
  language: string;
  outOfScope: boolean;
}

export type TrainingOutcome = 'ready' | 'failed';

/**
 * NLU metrics on /metrics: parses by status and language, parse latency, training runs
 * and their duration, the version being served. Without the app's MetricsService (a
 * service built alone, as benchmarks do) they go to a private registry.
 */
@Injectable()
export class NluMetrics {
  private readonly parses: Counter<'status' | 'lang'>;
  private readonly parseDuration: Histogram;
  private readonly trainingRuns: Counter<'status'>;
  private readonly trainingDuration: Histogram<'status'>;
  private readonly version: Gauge;

  constructor(@Optional() metrics?: MetricsService) {
    const registers = [metrics?.registry ?? new Registry()];
    this.parses = new Counter({ name: 'llmos_nlu_parses_total', help: 'Texts parsed, by status (ok, out_of_scope, error) and language (zh, en, other; the requested one or "auto" on errors)', labelNames: ['status', 'lang'], registers });
    this.parseDuration = new Histogram({ name: 'llmos_nlu_parse_duration_seconds', help: 'Duration of one parse call (a single text or a batch)', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers });
    this.trainingRuns = new Counter({ name: 'llmos_nlu_training_runs_total', help: 'Finished NLU training runs by status (ready, failed)', labelNames: ['status'], registers });
    this.trainingDuration = new Histogram({ name: 'llmos_nlu_training_duration_seconds', help: 'Duration of NLU training runs, from start to activation or failure', labelNames: ['status'], buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800], registers });
    this.version = new Gauge({ name: 'llmos_nlu_active_model_version', help: 'Version of the NLU model being served (0 before the first one)', registers });
  }

  /** Runs a parse call and records its duration and each text's outcome. */
  async timeParse<T extends ParsedText>(texts: number, lang: string | undefined, run: () => Promise<T[]>): Promise<T[]> {
    const end = this.parseDuration.startTimer();
    try {
      const results = await run();
      for (const r of results) this.parses.inc({ status: r.outOfScope ? 'out_of_scope' : 'ok', lang: r.language });
      return results;
    } catch (err) {
      this.parses.inc({ status: 'error', lang: lang ?? 'auto' }, texts);
      throw err;
    } finally {
      end();
    }
  }

  /** Marks a training run's start; call the returned function once with its outcome. */
  trainingStarted(): (outcome: TrainingOutcome) => void {
    const end = this.trainingDuration.startTimer();
    return (status) => {
      end({ status });
      this.trainingRuns.inc({ status });
    };
  }

  activeVersion(version: number): void {
    this.version.set(version);
  }
}
