import { QueueAbortedError, RunQueue } from './run-queue';

const tick = () => new Promise((r) => setImmediate(r));

describe('RunQueue', () => {
  it('runs at most `limit` tasks at once, the others in the order they came', async () => {
    const queue = new RunQueue(2);
    const started: number[] = [];
    const release: (() => void)[] = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      queue.run(async () => {
        started.push(i);
        await new Promise<void>((r) => (release[i] = r));
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([queue.active, queue.queued]).toEqual([2, 2]);
    release[1]();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    release[0]();
    release[2]();
    await tick();
    release[3]();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect([queue.active, queue.queued]).toEqual([0, 0]);
  });

  it('a waiting task whose signal aborts leaves the queue; a failing task frees its slot', async () => {
    const queue = new RunQueue(1);
    const first = queue.run(() => Promise.reject(new Error('boom')));
    const abort = new AbortController();
    const waiting = queue.run(async () => 'never', abort.signal);
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(QueueAbortedError);
    await expect(first).rejects.toThrow('boom');
    expect(await queue.run(async () => 'next')).toBe('next');
  });
});
