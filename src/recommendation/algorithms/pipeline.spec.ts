import { rng } from './holdout';
import { TrainOptions, trainModels } from './pipeline';
import { Interaction } from './types';

const OPTIONS: TrainOptions = {
  models: ['ease', 'itemknn', 'als'],
  neighbors: 50,
  knnShrinkage: 10,
  easeLambda: 50,
  easeMaxItems: 5000,
  popularityHalfLifeMs: 0,
  alsFactors: 16,
  alsRegularization: 0.05,
  alsAlpha: 20,
  alsIterations: 10,
  alsCgSteps: 3,
  blendWeights: { ease: 1, itemknn: 0.5, popularity: 0.05 },
  evaluate: true,
  holdout: 'random',
  holdoutFraction: 0.2,
  k: 10,
  seed: 1,
};

/** 300 users in 5 taste clusters of 20 items each (+ a few globally popular items). */
function planted(): { items: string[]; users: string[]; cells: Interaction[] } {
  const random = rng(42);
  const items = Array.from({ length: 100 }, (_, i) => `i${i}`);
  const users = Array.from({ length: 300 }, (_, u) => `u${u}`);
  const cells: Interaction[] = [];
  for (let u = 0; u < users.length; u++) {
    const cluster = u % 5;
    const seen = new Set<number>();
    for (let e = 0; e < 12; e++) {
      const item = random() < 0.85 ? cluster * 20 + Math.floor(random() * 20) : Math.floor(random() * 100);
      if (seen.has(item)) continue;
      seen.add(item);
      cells.push({ user: u, item, value: 1, ts: e });
    }
  }
  return { items, users, cells };
}

describe('trainModels', () => {
  it('learns planted taste clusters: EASE, ItemKNN and ALS beat popularity on the holdout by far', () => {
    const data = planted();
    const out = trainModels({ ...data, options: OPTIONS });
    const m = out.metrics!;
    expect(Object.keys(m).sort()).toEqual(['als', 'blend', 'ease', 'itemknn', 'popularity']);
    expect(m.ease.ndcg).toBeGreaterThan(1.5 * m.popularity.ndcg);
    expect(m.itemknn.ndcg).toBeGreaterThan(1.5 * m.popularity.ndcg);
    expect(m.als.ndcg).toBeGreaterThan(1.5 * m.popularity.ndcg);
    expect(out.factors.als!.itemFactors).toHaveLength(100 * 16);
    expect(m.ease.users).toBeGreaterThan(250);
    expect(out.tables.ease!.n).toBe(100);
    expect(out.tables.itemknn!.m).toBe(50);
  });

  it('skips EASE above its item limit and says why', () => {
    const out = trainModels({ ...planted(), options: { ...OPTIONS, easeMaxItems: 50, evaluate: false } });
    expect(out.tables.ease).toBeUndefined();
    expect(out.skipped).toEqual([{ model: 'ease', reason: expect.stringContaining('REC_EASE_MAX_ITEMS') }]);
    expect(out.metrics).toBeNull();
  });
});
