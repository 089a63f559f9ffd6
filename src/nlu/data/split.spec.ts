import type { NluTrainingData, TrainingExample } from '../core/types';
import { loadBundledTrainingData } from './bundled';
import { splitTrainTest } from './split';

function groupCounts(examples: TrainingExample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ex of examples) counts.set(`${ex.lang}/${ex.intent}`, (counts.get(`${ex.lang}/${ex.intent}`) ?? 0) + 1);
  return counts;
}

describe('splitTrainTest', () => {
  let data: NluTrainingData;
  beforeAll(() => {
    data = loadBundledTrainingData();
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = splitTrainTest(data, 0.2, 42);
    const b = splitTrainTest(loadBundledTrainingData(), 0.2, 42);
    expect(a.test.map((e) => e.text)).toEqual(b.test.map((e) => e.text));
    const c = splitTrainTest(data, 0.2, 7);
    expect(c.test.map((e) => e.text)).not.toEqual(a.test.map((e) => e.text));
  });

  it('takes round(n * fraction) of every (lang, intent) group', () => {
    const { train, test } = splitTrainTest(data, 0.2, 1);
    const all = groupCounts(data.examples);
    const held = groupCounts(test);
    const kept = groupCounts(train.examples);
    expect(all.size).toBe(26);
    for (const [group, n] of all) {
      expect({ group, test: held.get(group) }).toEqual({ group, test: Math.round(n * 0.2) });
      expect((kept.get(group) ?? 0) + (held.get(group) ?? 0)).toBe(n);
    }
  });

  it('partitions the examples, keeps their order and the lookups, synonyms and regexes', () => {
    const { train, test } = splitTrainTest(data, 0.25, 3);
    const index = new Map(data.examples.map((e, i) => [e, i]));
    const trainIdx = train.examples.map((e) => index.get(e) as number);
    const testIdx = test.map((e) => index.get(e) as number);
    expect([...trainIdx, ...testIdx].sort((x, y) => x - y)).toEqual(data.examples.map((_, i) => i));
    expect(trainIdx).toEqual([...trainIdx].sort((x, y) => x - y));
    expect(testIdx).toEqual([...testIdx].sort((x, y) => x - y));
    expect(train.lookups).toBe(data.lookups);
    expect(train.synonyms).toBe(data.synonyms);
    expect(train.regexes).toBe(data.regexes);
  });

  it('keeps a group\'s only example in train and leaves other groups alone when one grows', () => {
    const small: NluTrainingData = {
      examples: [
        { text: 'solo', intent: 'rare', lang: 'en', entities: [] },
        ...Array.from({ length: 10 }, (_, i) => ({ text: `hi ${i}`, intent: 'greet', lang: 'en' as const, entities: [] })),
      ],
      lookups: [],
      synonyms: [],
      regexes: [],
    };
    const before = splitTrainTest(small, 0.9, 5);
    expect(before.train.examples.map((e) => e.text)).toContain('solo');
    expect(before.test).toHaveLength(9);
    const grown = { ...small, examples: [...small.examples, { text: 'bye', intent: 'goodbye', lang: 'en' as const, entities: [] }] };
    expect(splitTrainTest(grown, 0.9, 5).test.filter((e) => e.intent === 'greet')).toEqual(before.test);
  });

  it('holds nothing out at fraction 0 and refuses bad arguments', () => {
    expect(splitTrainTest(data, 0, 1).test).toEqual([]);
    expect(() => splitTrainTest(data, 1, 1)).toThrow(RangeError);
    expect(() => splitTrainTest(data, -0.1, 1)).toThrow(RangeError);
    expect(() => splitTrainTest(data, Number.NaN, 1)).toThrow(RangeError);
    expect(() => splitTrainTest(data, 0.2, 1.5)).toThrow(RangeError);
  });
});
