import { MinuteWindow } from './minute-window';
import { PendingCounters } from './pending-counters';
import { ceilTo, floorTo, hourBucket, requestModule, utcDayStart } from './usage-metrics';
import { resolveRange, UsageRangeError } from './usage-range';

const t = (iso: string) => Date.parse(iso);

describe('usage buckets', () => {
  it('puts an event in the UTC hour and day it happened', () => {
    expect(new Date(hourBucket(t('2026-12-01T09:59:59.999Z'))).toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(new Date(hourBucket(t('2026-12-01T10:00:00.000Z'))).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    // +08:00 is 01:30 UTC: the bucket is the UTC hour, whatever the caller's zone
    expect(new Date(hourBucket(t('2026-12-01T09:30:00+08:00'))).toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(new Date(utcDayStart(t('2026-12-01T23:59:59Z'))).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(ceilTo(t('2026-12-01T10:00:00Z'), 'hour')).toBe(t('2026-12-01T10:00:00Z'));
    expect(ceilTo(t('2026-12-01T10:00:01Z'), 'hour')).toBe(t('2026-12-01T11:00:00Z'));
    expect(floorTo(t('2026-12-01T10:00:01Z'), 'day')).toBe(t('2026-12-01T00:00:00Z'));
  });

  it('names the module from the route', () => {
    expect(requestModule('/api/v1/nlu/parse')).toBe('nlu');
    expect(requestModule('/api/v1/generation/generate')).toBe('generation');
    expect(requestModule('/api/v1/models/:id/load')).toBe('models');
    expect(requestModule('/api/v1/usage')).toBe('usage');
    expect(requestModule('/v1/chat/completions')).toBe('openai');
    expect(requestModule('/v1/models')).toBe('openai');
    expect(requestModule('/')).toBe('root');
  });
});

describe('PendingCounters', () => {
  it('sums many events into one counter per project, hour and metric', () => {
    const p = new PendingCounters();
    for (let i = 0; i < 1000; i++) p.add('shop', 'requests.nlu', 1, t('2026-12-01T09:00:00Z') + i * 1000);
    p.add('shop', 'requests.nlu', 2, t('2026-12-01T10:00:00Z'));
    p.add('blog', 'requests.nlu', 1, t('2026-12-01T09:10:00Z'));
    p.add('shop', 'tokens.generated', 7, t('2026-12-01T09:10:00Z'));
    expect(p.size).toBe(4);
    expect(p.sum('shop', 'requests.nlu', t('2026-12-01T00:00:00Z'))).toBe(1002);
    expect(p.sum('shop', 'requests.nlu', t('2026-12-01T10:00:00Z'))).toBe(2);
    const rows = p.take();
    expect(p.size).toBe(0);
    expect(rows).toContainEqual({ project: 'shop', bucket: t('2026-12-01T09:00:00Z'), metric: 'requests.nlu', value: 1000 });
  });

  it('restore merges a failed flush with what came meanwhile', () => {
    const p = new PendingCounters();
    const at = t('2026-12-01T09:00:00Z');
    p.add('shop', 'nlu.parses', 3, at);
    const taken = p.take();
    p.add('shop', 'nlu.parses', 2, at);
    p.restore(taken);
    expect(p.take()).toEqual([{ project: 'shop', bucket: at, metric: 'nlu.parses', value: 5 }]);
    expect(taken[0].value).toBe(3); // the flushed batch itself is not changed
  });
});

describe('MinuteWindow', () => {
  it('admits the limit per project and UTC minute, then answers with the seconds to the next minute', () => {
    const w = new MinuteWindow();
    const start = t('2026-12-01T09:00:48Z');
    for (let i = 0; i < 3; i++) expect(w.hit('shop', 3, start + i)).toEqual({ admitted: true });
    expect(w.hit('shop', 3, start + 10)).toEqual({ admitted: false, retryAfterMs: 12_000 - 10 });
    expect(w.hit('blog', 3, start + 10)).toEqual({ admitted: true }); // another project has its own count
    expect(w.hit('shop', 3, t('2026-12-01T09:01:00Z'))).toEqual({ admitted: true }); // the next minute starts afresh
  });

  it('refused requests do not use up the next ones', () => {
    const w = new MinuteWindow();
    const at = t('2026-12-01T09:00:00Z');
    expect(w.hit('shop', 1, at).admitted).toBe(true);
    for (let i = 0; i < 5; i++) expect(w.hit('shop', 1, at).admitted).toBe(false);
    expect(w.hit('shop', 2, at).admitted).toBe(true); // a raised quota admits one more, not 1 - 5
  });
});

describe('resolveRange', () => {
  const now = t('2026-12-01T09:30:00Z');

  it('defaults to the 24 hours before now, in whole hours', () => {
    expect(resolveRange({}, now)).toEqual({ granularity: 'hour', from: t('2026-11-30T09:00:00Z'), to: t('2026-12-01T10:00:00Z') });
  });

  it('rounds to whole UTC days; a date-time without a zone is UTC', () => {
    expect(resolveRange({ from: '2026-11-01T12:00', to: '2026-12-01T00:00:00Z', granularity: 'day' }, now)).toEqual({ granularity: 'day', from: t('2026-11-01T00:00:00Z'), to: t('2026-12-01T00:00:00Z') });
  });

  it('refuses from >= to, bad dates and ranges too long for the granularity', () => {
    expect(() => resolveRange({ from: '2026-12-02', to: '2026-12-01' }, now)).toThrow(/from \(2026-12-02T00:00:00.000Z\) must be before to/);
    expect(() => resolveRange({ from: 'yesterday' }, now)).toThrow(UsageRangeError);
    expect(() => resolveRange({ from: '2026-10-01', to: '2026-12-01' }, now)).toThrow(/longer than 31 days.*granularity=day/);
    expect(resolveRange({ from: '2026-10-01', to: '2026-12-01', granularity: 'day' }, now).from).toBe(t('2026-10-01T00:00:00Z'));
    expect(() => resolveRange({ from: '2025-01-01', to: '2026-12-01', granularity: 'day' }, now)).toThrow(/longer than 366 days/);
  });
});
