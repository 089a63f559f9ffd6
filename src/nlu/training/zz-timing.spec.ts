import { trainIntentClassifier } from './intent-trainer';
import { syntheticExamples } from './synthetic.fixture';
it('timing', () => {
  const train = syntheticExamples(4, 1).map(({ text, intent }) => ({ text, intent }));
  for (const dim of [1 << 16]) {
    const t = Date.now();
    const m = trainIntentClassifier(train, { hidden: 64, seed: 7, featurizer: { dim } });
    console.log(dim, 'ms', Date.now() - t, m.metrics.epochsRun);
  }
});
