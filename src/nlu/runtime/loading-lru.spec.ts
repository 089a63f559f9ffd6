import { DroppedWhileLoadingError, LoadingLru } from './loading-lru';

function lru(bound: number) {
  const evicted: string[] = [];
  const discarded: string[] = [];
  const cache = new LoadingLru<string>(bound, { evicted: (k, v) => evicted.push(`${k}=${v}`), discarded: (k, v) => discarded.push(`${k}=${v}`) });
  return { cache, evicted, discarded };
}

describe('LoadingLru', () => {
  it('evicts the least recently used key beyond the bound; get counts as use, peek does not', () => {
    const { cache, evicted } = lru(2);
    cache.set('a', '1');
    cache.set('b', '1');
    cache.get('a');
    cache.set('c', '1');
    expect(evicted).toEqual(['b=1']);
    cache.peek('a');
    cache.set('d', '1');
    expect(evicted).toEqual(['b=1', 'a=1']);
    expect(cache.keys()).toEqual(['c', 'd']);
  });

  it('returns the value a set replaced (not evicted) and counts the set as use', () => {
    const { cache, evicted } = lru(2);
    cache.set('a', '1');
    cache.set('b', '1');
    expect(cache.set('a', '2')).toBe('1');
    cache.set('c', '1');
    expect(evicted).toEqual(['b=1']);
    expect(cache.peek('a')).toBe('2');
  });

  it('shares one load between concurrent misses and keeps no failed load', async () => {
    const { cache } = lru(2);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setImmediate(r));
      return `v${loads}`;
    };
    const [x, y] = await Promise.all([cache.getOrLoad('a', load), cache.getOrLoad('a', load)]);
    expect([x, y, loads]).toEqual(['v1', 'v1', 1]);
    expect(await cache.getOrLoad('a', load)).toBe('v1');
    await expect(cache.getOrLoad('b', async () => Promise.reject(new Error('no model')))).rejects.toThrow('no model');
    expect(cache.peek('b')).toBeUndefined();
    expect(await cache.getOrLoad('b', load)).toBe('v2');
  });

  it('reloads a value that is not usable', async () => {
    const { cache } = lru(2);
    cache.set('a', 'empty');
    expect(await cache.getOrLoad('a', async () => 'full', (v) => v !== 'empty')).toBe('full');
  });

  it('a set during a load wins: the loaded value is discarded', async () => {
    const { cache, discarded } = lru(2);
    let finish!: (v: string) => void;
    const pending = cache.getOrLoad('a', () => new Promise((r) => (finish = r)));
    cache.set('a', 'activated');
    finish('lazy');
    expect(await pending).toBe('activated');
    expect(discarded).toEqual(['a=lazy']);
    expect(cache.peek('a')).toBe('activated');
  });

  it('a delete during a load: the loaded value is discarded and the load fails', async () => {
    const { cache, discarded } = lru(2);
    let finish!: (v: string) => void;
    const pending = cache.getOrLoad('a', () => new Promise((r) => (finish = r)));
    cache.delete('a');
    finish('lazy');
    await expect(pending).rejects.toBeInstanceOf(DroppedWhileLoadingError);
    await cache.settled('a');
    expect(discarded).toEqual(['a=lazy']);
    expect(cache.size).toBe(0);
  });
});
