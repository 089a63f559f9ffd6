import { CounterPipeline, CounterStore, LocalRequestWindow, SharedRequestWindow } from './request-window';

/** Redis's INCR / PEXPIRE semantics on one map, shared by several "replicas". */
function fakeRedis() {
  const counts = new Map<string, number>();
  const expiries = new Map<string, number>();
  const store: CounterStore = {
    multi() {
      const ops: (() => unknown)[] = [];
      const p: CounterPipeline = {
        incr: (key) => (ops.push(() => counts.set(key, (counts.get(key) ?? 0) + 1).get(key)), p),
        pexpire: (key, ms) => (ops.push(() => expiries.set(key, ms)), p),
        exec: async () => ops.map((op) => [null, op()] as [null, unknown]),
      };
      return p;
    },
  };
  return { store, counts, expiries };
}

describe('request windows', () => {
  const T = Date.UTC(2026, 0, 1, 12, 0, 30);

  it('replicas sharing one store admit the limit once between them, and the next minute starts afresh', async () => {
    const { store, expiries } = fakeRedis();
    const replicas = [new SharedRequestWindow(store), new SharedRequestWindow(store), new SharedRequestWindow(store)];
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => replicas[i % 3].hit('shop', 10, T)));
    expect(answers.filter((a) => a.admitted)).toHaveLength(10);
    expect(answers.find((a) => !a.admitted)).toEqual({ admitted: false, retryAfterMs: 30_000 });
    expect([...expiries.values()]).toEqual([120_000]);
    expect((await replicas[0].hit('shop', 10, T + 30_000)).admitted).toBe(true);
    expect((await replicas[1].hit('other', 10, T)).admitted).toBe(true);
  });

  it('local windows each admit the full limit (what REDIS_URL avoids)', async () => {
    const replicas = [new LocalRequestWindow(), new LocalRequestWindow()];
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => replicas[i % 2].hit('shop', 10, T)));
    expect(answers.filter((a) => a.admitted)).toHaveLength(20);
  });

  it('a failing store is reported, not read as admitted', async () => {
    const store: CounterStore = { multi: () => ({ incr: () => store.multi(), pexpire: () => store.multi(), exec: async () => [[new Error('READONLY'), null]] }) };
    await expect(new SharedRequestWindow(store).hit('shop', 1, T)).rejects.toThrow('READONLY');
  });
});
