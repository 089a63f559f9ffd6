import { GroupBatcher } from './group-batcher';

describe('GroupBatcher (group commit)', () => {
  it('calls made while a batch runs share the next one; one call per key in a batch; each answered with its own output', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const b = new GroupBatcher<string, string>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await first;
      return items.map((i) => i.toUpperCase());
    });
    const a = b.submit('s1', 'a');
    await new Promise((r) => setImmediate(r)); // the first batch is running now
    const rest = [b.submit('s2', 'b'), b.submit('s3', 'c'), b.submit('s2', 'd')];
    release();
    expect(await Promise.all([a, ...rest])).toEqual(['A', 'B', 'C', 'D']);
    expect(batches).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('a failed batch runs each call alone, so only the call that fails gets the error', async () => {
    const b = new GroupBatcher<number, number>(async (items) => {
      if (items.includes(2)) throw new Error(`bad ${items.join(',')}`);
      return items.map((i) => i * 10);
    });
    const out = await Promise.allSettled([b.submit('x', 1), b.submit('y', 2), b.submit('z', 3)]);
    expect(out).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad 2') },
      { status: 'fulfilled', value: 30 },
    ]);
  });
});
