import type { AppConfig } from '../config/app-config';
import { CounterDelta } from './core/pending-counters';
import { QuotaService } from './quota.service';
import type { ProjectsService } from '../projects/projects.service';
import type { ProjectQuotas } from '../projects/project.entity';
import { CounterRow, UsageCountersRepository } from './usage-counters.repository';
import { UsageService } from './usage.service';

/** A repository that keeps rows in memory, records each statement, and fails on demand. */
class FakeCounters {
  statements: CounterDelta[][] = [];
  stored = new Map<string, CounterDelta>();
  fail = 0;

  async add(deltas: readonly CounterDelta[]): Promise<void> {
    await Promise.resolve();
    if (this.fail > 0) {
      this.fail--;
      throw new Error('connection refused');
    }
    this.statements.push([...deltas]);
    for (const d of deltas) {
      const key = `${d.project}|${d.bucket}|${d.metric}`;
      const row = this.stored.get(key);
      if (row) row.value += d.value;
      else this.stored.set(key, { ...d });
    }
  }

  async series(project: string, from: number, to: number): Promise<CounterRow[]> {
    return [...this.stored.values()].filter((r) => r.project === project && r.bucket >= from && r.bucket < to).map((r) => ({ start: r.bucket, metric: r.metric, value: r.value }));
  }

  async total(project: string, metric: string, since: number): Promise<number> {
    return [...this.stored.values()].filter((r) => r.project === project && r.metric === metric && r.bucket >= since).reduce((a, r) => a + r.value, 0);
  }
}

const config = { raw: { USAGE_FLUSH_MS: '60000' } } as unknown as AppConfig;
const at = Date.parse('2026-12-01T09:15:00Z');

function setup() {
  const repo = new FakeCounters();
  const usage = new UsageService(repo as unknown as UsageCountersRepository, config);
  return { repo, usage };
}

describe('UsageService', () => {
  it('writes many adds in one statement, one row per project, hour and metric', async () => {
    const { repo, usage } = setup();
    for (let i = 0; i < 500; i++) usage.add('shop', 'requests.nlu', 1, at + i);
    usage.add('shop', 'nlu.parses', 64, at);
    usage.add('shop', 'requests.nlu', 1, at + 3_600_000);
    usage.add('blog', 'requests.nlu', 1, at);
    usage.add('blog', 'tokens.generated', 0, at); // nothing to count
    expect(await usage.flush()).toBe(4);
    expect(repo.statements).toHaveLength(1);
    expect(repo.statements[0]).toContainEqual({ project: 'shop', bucket: Date.parse('2026-12-01T09:00:00Z'), metric: 'requests.nlu', value: 500 });
    expect(await usage.flush()).toBe(0);
    expect(repo.statements).toHaveLength(1); // nothing pending: no statement
  });

  it('keeps the counts of a failed flush and writes them with the next one', async () => {
    const { repo, usage } = setup();
    usage.add('shop', 'requests.nlu', 3, at);
    repo.fail = 1;
    await expect(usage.flush()).rejects.toThrow('connection refused');
    usage.add('shop', 'requests.nlu', 2, at);
    await usage.flush();
    expect(repo.statements).toEqual([[{ project: 'shop', bucket: Date.parse('2026-12-01T09:00:00Z'), metric: 'requests.nlu', value: 5 }]]);
  });

  it('totals stored and pending counts exactly once, also while a flush runs', async () => {
    const { usage } = setup();
    usage.add('shop', 'tokens.generated', 10, at);
    await usage.flush();
    usage.add('shop', 'tokens.generated', 5, at);
    const flushing = usage.flush();
    const total = usage.total('shop', 'tokens.generated', Date.parse('2026-12-01T00:00:00Z'));
    usage.add('shop', 'tokens.generated', 1, Date.parse('2026-11-30T23:00:00Z')); // yesterday: not in today's total
    await flushing;
    expect(await total).toBe(15);
  });

  it('reports per bucket with totals after flushing, and flushes on shutdown', async () => {
    const { repo, usage } = setup();
    usage.add('shop', 'requests.nlu', 2, at);
    usage.add('shop', 'requests.nlu', 1, at + 3_600_000);
    usage.add('shop', 'tokens.prompt', 9, at);
    usage.add('blog', 'requests.nlu', 4, at);
    const hours = await usage.report('shop', { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' });
    expect(hours).toEqual({
      project: 'shop',
      granularity: 'hour',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      buckets: [
        { start: '2026-12-01T09:00:00.000Z', metrics: { 'requests.nlu': 2, 'tokens.prompt': 9 } },
        { start: '2026-12-01T10:00:00.000Z', metrics: { 'requests.nlu': 1 } },
      ],
      totals: { 'requests.nlu': 3, 'tokens.prompt': 9 },
    });
    await expect(usage.report('shop', { from: '2026-12-02', to: '2026-12-01' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/must be before to/) });
    usage.add('shop', 'nlu.parses', 1, at);
    await usage.beforeApplicationShutdown();
    expect(await repo.total('shop', 'nlu.parses', 0)).toBe(1);
  });
});

describe('QuotaService', () => {
  function quotaSetup(quotas: ProjectQuotas) {
    const { usage } = setup();
    const projects = { quotas: async () => quotas } as unknown as ProjectsService;
    return { usage, service: new QuotaService(projects, usage) };
  }

  it('requestsPerMinute: 429 naming the quota with the seconds left in the minute', async () => {
    const { service } = quotaSetup({ requestsPerMinute: 2 });
    const now = Date.parse('2026-12-01T09:00:48.500Z');
    await service.admitRequest('shop', now);
    await service.admitRequest('shop', now);
    await expect(service.admitRequest('shop', now)).rejects.toMatchObject({
      status: 429,
      code: 'quota_exceeded',
      message: 'Project shop exceeded its quota of 2 requests per minute; retry in 12 s',
      headers: { 'Retry-After': '12' },
    });
  });

  it('generatedTokensPerDay: admits below the quota, refuses at it until 00:00 UTC', async () => {
    const { service, usage } = quotaSetup({ generatedTokensPerDay: 100 });
    const now = Date.parse('2026-12-01T23:00:00Z');
    usage.add('shop', 'tokens.generated', 500, Date.parse('2026-11-30T12:00:00Z')); // yesterday
    usage.add('shop', 'tokens.generated', 99, now);
    await service.admitGeneration('shop', now);
    usage.add('shop', 'tokens.generated', 1, now);
    await expect(service.admitGeneration('shop', now)).rejects.toMatchObject({
      status: 429,
      message: 'Project shop exceeded its quota of 100 generated tokens per day (100 generated today, UTC); retry in 3600 s, after 00:00 UTC',
      headers: { 'Retry-After': '3600' },
    });
    await service.admitGeneration('blog', now); // its own (empty) count
  });

  it('no quota: everything is admitted', async () => {
    const { service } = quotaSetup({ requestsPerMinute: null });
    for (let i = 0; i < 100; i++) await service.admitRequest('shop');
    await service.admitGeneration('shop');
  });
});
