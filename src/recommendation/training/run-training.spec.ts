import { rng } from '../algorithms/holdout';
import { decodeArtifact } from '../algorithms/artifact';
import { Interaction } from '../algorithms/types';
import { runTrainingInProcess } from './run-training';
import { toColumns } from './train-core';

describe('runTrainingInProcess', () => {
  it('trains in a child process, reports progress and returns the encoded artifact', async () => {
    const random = rng(3);
    const cells: Interaction[] = [];
    for (let u = 0; u < 100; u++) for (let e = 0; e < 8; e++) cells.push({ user: u, item: (u % 4) * 10 + Math.floor(random() * 10), value: 1, ts: e });
    const unique = [...new Map(cells.map((c) => [`${c.user}:${c.item}`, c])).values()];
    const phases = new Set<string>();
    const result = await runTrainingInProcess(
      {
        items: Array.from({ length: 40 }, (_, i) => `i${i}`),
        users: Array.from({ length: 100 }, (_, u) => `u${u}`),
        ...toColumns(unique),
        options: { models: ['ease', 'itemknn', 'als'], neighbors: 20, knnShrinkage: 5, easeLambda: 10, easeMaxItems: 100, popularityHalfLifeMs: 0, alsFactors: 8, alsRegularization: 0.05, alsAlpha: 20, alsIterations: 8, alsCgSteps: 3, blendWeights: { ease: 1 }, evaluate: true, holdout: 'random', holdoutFraction: 0.2, k: 5, seed: 1 },
      },
      (p) => phases.add(p.phase.split(':')[0]),
    );
    const artifact = decodeArtifact(result.artifact);
    expect(Object.keys(artifact.tables).sort()).toEqual(['ease', 'itemknn']);
    expect(artifact.factors!.als.itemFactors).toHaveLength(40 * 8);
    expect(artifact.items).toHaveLength(40);
    expect(result.metrics!.ease.ndcg).toBeGreaterThan(result.metrics!.popularity.ndcg);
    expect(result.metrics!.als.ndcg).toBeGreaterThan(result.metrics!.popularity.ndcg);
    expect([...phases].sort()).toEqual(['evaluate', 'train']);
  }, 60_000);

  it('stops the child when the signal aborts', async () => {
    const abort = new AbortController();
    const run = runTrainingInProcess({ items: ['a'], users: ['u'], ...toColumns([]), options: {} as never }, () => undefined, abort.signal);
    abort.abort();
    await expect(run).rejects.toThrow(/aborted/);
  });
});
