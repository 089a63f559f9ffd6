import type { Sampler } from '../core/sampling';
import { FinishEvent, Sequence } from './sequence';

function sequence(onFinish: (e: FinishEvent) => void, maxTokens = 2): Sequence {
  return new Sequence(1, { promptIds: [1, 2, 3], maxTokens, stopTokenIds: new Set([0]), stop: [], sampler: {} as Sampler, decode: (ids) => ids.map((i) => `t${i}`).join(''), onFinish });
}

describe('Sequence onFinish (usage metering)', () => {
  it('reports the finish event once, with the tokens generated', () => {
    const finished: FinishEvent[] = [];
    const seq = sequence((e) => finished.push(e));
    seq.record({ tokenId: 5 }, 100);
    seq.emit();
    expect(finished).toEqual([]);
    seq.record({ tokenId: 6 }, 100);
    seq.emit();
    expect(finished).toMatchObject([{ reason: 'length', promptTokens: 3, completionTokens: 2 }]);
    expect(seq.finish('cancelled')).toBe(false);
    expect(finished).toHaveLength(1);
  });

  it('a cancelled sequence reports what it had generated', () => {
    const finished: FinishEvent[] = [];
    const seq = sequence((e) => finished.push(e), 10);
    seq.record({ tokenId: 5 }, 100);
    seq.emit();
    seq.finish('cancelled');
    expect(finished).toMatchObject([{ reason: 'cancelled', completionTokens: 1 }]);
  });
});
