import { DEFAULT_EVENT_WEIGHTS } from './algorithms/types';
import { EventsRepository } from './events.repository';
import { ItemsRepository } from './items.repository';
import { ModelsRepository } from './models.repository';
import { RecCacheService } from './rec-cache.service';
import { RecSettings } from './rec-settings';
import type { EventInput, HistoryEvent } from './rec.types';

/** A promise resolved from outside (to hold a load in flight). */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const settings = { weights: { ...DEFAULT_EVENT_WEIGHTS }, historyLimit: 500, cacheTtlMs: 60_000, popularityRefreshMs: 600_000, historyCacheMs: 60_000, historyCacheUsers: 2, popularityHalfLifeMs: 0 } as unknown as RecSettings;
const event = (id: string, userId: string, itemId: string, type: EventInput['type'] = 'purchase'): EventInput => ({ id, userId, itemId, type, value: null, ts: Date.now() });

function setup() {
  const pending: { resolve: (v: HistoryEvent[]) => void }[] = [];
  const events = {
    history: jest.fn(() => {
      const d = deferred<HistoryEvent[]>();
      pending.push(d);
      return d.promise;
    }),
    popularityBuckets: jest.fn(async () => [{ itemId: 'a', type: 'purchase', count: 2, valueSum: 0, ts: Date.now() - 1000 }]),
  };
  const cache = new RecCacheService({} as ItemsRepository, events as unknown as EventsRepository, {} as ModelsRepository, settings);
  return { cache, events, pending };
}

describe('RecCacheService', () => {
  it('serves a cached history until an event of the user drops it; a read in flight when the event came is not kept', async () => {
    const { cache, events, pending } = setup();
    const first = cache.history('p', 'u');
    pending[0].resolve([{ itemId: 'a', type: 'view', value: null, ts: 1 }]);
    expect(await first).toHaveLength(1);
    expect(await cache.history('p', 'u')).toHaveLength(1);
    expect(events.history).toHaveBeenCalledTimes(1);

    cache.eventsAdded('p', [event('e1', 'u', 'b')]);
    const second = cache.history('p', 'u');
    expect(events.history).toHaveBeenCalledTimes(2);
    cache.eventsAdded('p', [event('e2', 'u', 'c')]); // arrives while the read is in flight
    pending[1].resolve([{ itemId: 'b', type: 'purchase', value: null, ts: 2 }]);
    await second;
    const third = cache.history('p', 'u');
    expect(events.history).toHaveBeenCalledTimes(3); // the stale read was not stored
    pending[2].resolve([]);
    await third;
  });

  it('keeps at most REC_HISTORY_CACHE_USERS users, dropping the least recently served', async () => {
    const { cache, events, pending } = setup();
    const read = async (u: string) => {
      const p = cache.history('p', u);
      pending[pending.length - 1]?.resolve([]);
      return p;
    };
    await read('u1');
    await read('u2');
    await cache.history('p', 'u1'); // u1 served again: u2 is now the least recent
    await read('u3');
    const calls = events.history.mock.calls.length;
    await cache.history('p', 'u1');
    expect(events.history.mock.calls.length).toBe(calls); // u1 kept
    const again = cache.history('p', 'u2');
    expect(events.history.mock.calls.length).toBe(calls + 1); // u2 dropped
    pending[pending.length - 1].resolve([]);
    await again;
  });

  it('adds ingested events to popularity at once, without recomputing it', async () => {
    const { cache, events } = setup();
    const before = await cache.popularity('p');
    expect(before.get('a')).toBeCloseTo(16, 10); // two purchases
    cache.eventsAdded('p', [event('e1', 'u', 'b'), event('e2', 'v', 'b', 'view'), event('e3', 'w', 'a', 'dislike')]);
    const after = await cache.popularity('p');
    expect(after.get('b')).toBeCloseTo(9, 10);
    expect(after.get('a')).toBeCloseTo(8, 10);
    expect(events.popularityBuckets).toHaveBeenCalledTimes(1);
  });
});
