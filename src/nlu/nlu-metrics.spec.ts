import { MetricsService } from '../metrics/metrics.service';
import { NluMetrics } from './nlu-metrics';

async function sample(metrics: MetricsService, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const base = name.replace(/_(sum|count)$/, '');
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === base);
  return metric?.values.find((v) => ((v as { metricName?: string }).metricName ?? base) === name && Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe('NluMetrics', () => {
  it('counts each text of a parse call by status and language, and a failed call as errors of every text', async () => {
    const service = new MetricsService();
    const m = new NluMetrics(service);
    await m.timeParse(3, undefined, async () => [
      { language: 'zh', outOfScope: false },
      { language: 'zh', outOfScope: true },
      { language: 'en', outOfScope: false },
    ]);
    await expect(m.timeParse(4, 'zh', async () => Promise.reject(new Error('no model')))).rejects.toThrow('no model');
    expect(await sample(service, 'llmos_nlu_parses_total', { status: 'ok', lang: 'zh' })).toBe(1);
    expect(await sample(service, 'llmos_nlu_parses_total', { status: 'out_of_scope', lang: 'zh' })).toBe(1);
    expect(await sample(service, 'llmos_nlu_parses_total', { status: 'ok', lang: 'en' })).toBe(1);
    expect(await sample(service, 'llmos_nlu_parses_total', { status: 'error', lang: 'zh' })).toBe(4);
    expect(await sample(service, 'llmos_nlu_parse_duration_seconds_count')).toBe(2);
  });

  it('records training runs by outcome with their duration, and the active version', async () => {
    const service = new MetricsService();
    const m = new NluMetrics(service);
    expect(await sample(service, 'llmos_nlu_active_model_version')).toBe(0);
    m.trainingStarted()('failed');
    m.trainingStarted()('ready');
    m.activeVersion(7);
    expect(await sample(service, 'llmos_nlu_training_runs_total', { status: 'failed' })).toBe(1);
    expect(await sample(service, 'llmos_nlu_training_runs_total', { status: 'ready' })).toBe(1);
    expect(await sample(service, 'llmos_nlu_training_duration_seconds_count', { status: 'ready' })).toBe(1);
    expect(await sample(service, 'llmos_nlu_active_model_version')).toBe(7);
  });

  it('works without the app registry (a service built alone)', () => {
    expect(() => new NluMetrics().activeVersion(1)).not.toThrow();
  });
});
