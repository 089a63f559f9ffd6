/**
 * The training-time budget: the whole NLU training run (intent ensemble with entity-masked
 * features, ONNX export, tagger, held-out entity evaluation) on 10k examples stays under a
 * minute with the default options. Named zz- so it runs after the other training specs.
 * On the 2-core development machine it took 11-12 s under ts-node and 23 s under jest with
 * the load average at 6; the limit leaves room for a loaded CI runner, not for a trainer
 * several times slower.
 */
import { trainNluArtifacts } from './pipeline';
import { syntheticLargeSet } from './synthetic.fixture';

describe('training time', () => {
  it('trains 10k zh/en examples with the default options in under a minute', () => {
    const examples = syntheticLargeSet(10_000, 4);
    const started = Date.now();
    const artifacts = trainNluArtifacts({ examples, lookups: [], synonyms: [], regexes: [] });
    const elapsed = Date.now() - started;
    expect(artifacts.intentOnnx?.length).toBeGreaterThan(0);
    expect(artifacts.tagger).not.toBeNull();
    expect(artifacts.intent.metrics.members).toHaveLength(5);
    // the set is easy: a broken trainer would not reach this
    expect(artifacts.intent.metrics.valAccuracy).toBeGreaterThan(0.95);
    expect(artifacts.metrics.timings.totalMs).toBeLessThanOrEqual(elapsed);
    expect(elapsed).toBeLessThan(60_000);
  });
});
