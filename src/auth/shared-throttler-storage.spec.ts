import type { ThrottlerStorage } from '@nestjs/throttler';
import { SharedThrottlerStorage } from './shared-throttler-storage';

describe('SharedThrottlerStorage', () => {
  it('counts in the shared store, and in memory while the store fails', async () => {
    let failing = false;
    const shared = { increment: jest.fn(async () => {
      if (failing) throw new Error('Connection is closed.');
      return { totalHits: 7, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
    }) } as ThrottlerStorage;
    const storage = new SharedThrottlerStorage(shared);
    expect((await storage.increment('k', 60_000, 10, 60_000, 'default')).totalHits).toBe(7);
    failing = true;
    const local = [];
    for (let i = 0; i < 3; i++) local.push(await storage.increment('k', 60_000, 2, 60_000, 'default'));
    expect(local.map((r) => r.totalHits)).toEqual([1, 2, 3]);
    expect(local[2].isBlocked).toBe(true);
    failing = false;
    expect((await storage.increment('k', 60_000, 10, 60_000, 'default')).totalHits).toBe(7);
  });
});
