import type { PreparedNluModel } from './nlu.service';
import { PreparedVersions } from './prepared-versions';

const model = (v: number) => ({ version: v }) as unknown as PreparedNluModel;

describe('PreparedVersions', () => {
  afterEach(() => jest.useRealTimers());

  it('hands a prepared version over once, and loads each version once', async () => {
    const discard = jest.fn();
    const p = new PreparedVersions(60_000, discard);
    const load = jest.fn(async () => model(3));
    p.add(3, load);
    p.add(3, load);
    expect(load).toHaveBeenCalledTimes(1);
    expect(await p.take(3)).toEqual(model(3));
    expect(await p.take(3)).toBeUndefined();
    expect(await p.take(4)).toBeUndefined();
    expect(discard).not.toHaveBeenCalled();
  });

  it('discards a version nobody took within the TTL, and not one that was taken', async () => {
    jest.useFakeTimers();
    const discard = jest.fn();
    const p = new PreparedVersions(1000, discard);
    p.add(1, async () => model(1));
    p.add(2, async () => model(2));
    await p.take(2);
    jest.advanceTimersByTime(1001);
    await Promise.resolve();
    await Promise.resolve();
    expect(discard).toHaveBeenCalledTimes(1);
    expect(discard).toHaveBeenCalledWith(model(1));
    expect(await p.take(1)).toBeUndefined();
  });
});
