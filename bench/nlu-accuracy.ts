/**
 * Intent accuracy experiments: top-1 vs served in-scope accuracy and out-of-scope recall
 * for threshold settings and trainer variants, held out and k-fold. Plain training in this
 * process (no server), small on purpose:
 *
 *   nice -n 10 node -r ts-node/register/transpile-only bench/nlu-accuracy.ts [bundled|synthetic|all] [holdout|kfold] [variant,...]
 *
 * Datasets: `bundled` is the shipped zh/en data (it has an `out_of_scope` intent);
 * `synthetic` is 40 intents of the training fixture's templates, with label noise, no
 * out-of-scope class (the shape of the 31-intent case in issue 9). Writes
 * bench/results/nlu-accuracy.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NluTrainingData } from '../src/nlu/core/types';
import { loadBundledTrainingData, splitTrainTest } from '../src/nlu/data';
import { Featurizer } from '../src/nlu/training/featurizer';
import { runIntentModelReference } from '../src/nlu/training/intent-onnx';
import { IntentTrainerOptions, trainIntentClassifier } from '../src/nlu/training/intent-trainer';
import { Rng } from '../src/nlu/training/rng';
import { syntheticLargeSet } from '../src/nlu/training/synthetic.fixture';

const OOS = 'out_of_scope';

/** Trainer variants compared; `default` is what POST /nlu/train does without options. */
const VARIANTS: Record<string, Partial<IntentTrainerOptions>> = {
  default: {},
  // the same trainer with another seed: the noise level any other row has to beat
  'seed=7': { seed: 7 },
  'objective=accuracy': { objective: 'accuracy' },
  'objective=in_scope': { objective: 'in_scope' },
  'threshold=off': { threshold: 'off' },
  'validationShare=0.1': { validationShare: 0.1 },
  'hidden=64': { hidden: 64 },
  'ensemble=8': { ensemble: 8 },
  'dropout=0.4': { dropout: 0.4 },
  'weightDecay=1e-3': { weightDecay: 1e-3 },
  'softmax-regression': { hidden: 0 },
  'no-class-weighting': { classWeighting: false },
  'wordNgramMax=1': { featurizer: { wordNgramMax: 1 } },
  'charNgramMax=3': { featurizer: { charNgramMax: 3 } },
};

interface Scores {
  threshold: number;
  method: string;
  testExamples: number;
  topOne: number;
  served: number;
  oosRecall: number | null;
  trainMs: number;
}

function score(train: NluTrainingData, test: NluTrainingData, options: Partial<IntentTrainerOptions>): Scores {
  const started = Date.now();
  // as the training pipeline does: entity masking with the data's own lookups and regexes
  const model = trainIntentClassifier(
    train.examples.map((e) => ({ text: e.text, intent: e.intent })),
    { ...options, featurizer: { entityMask: { lookups: train.lookups, regexes: train.regexes }, ...options.featurizer } },
  );
  const trainMs = Date.now() - started;
  const f = new Featurizer(model.featurizer);
  const probs = runIntentModelReference(model, test.examples.map((e) => f.featurize(e.text)));
  const C = model.labels.length;
  let inScope = 0;
  let top = 0;
  let served = 0;
  let oos = 0;
  let recalled = 0;
  test.examples.forEach((e, i) => {
    const row = probs.subarray(i * C, (i + 1) * C);
    let best = 0;
    for (let c = 1; c < C; c++) if (row[c] > row[best]) best = c;
    const name = model.labels[best];
    const rejected = name === OOS || row[best] < model.threshold;
    if (e.intent === OOS) {
      oos++;
      if (rejected) recalled++;
    } else {
      inScope++;
      if (name === e.intent) {
        top++;
        if (!rejected) served++;
      }
    }
  });
  return { threshold: model.threshold, method: model.calibration.method, testExamples: test.examples.length, topOne: top / inScope, served: served / inScope, oosRecall: oos ? recalled / oos : null, trainMs };
}

function kfold(data: NluTrainingData, k: number, seed: number): { train: NluTrainingData; test: NluTrainingData }[] {
  const order = data.examples.map((_, i) => i);
  new Rng(seed).shuffle(order);
  return Array.from({ length: k }, (_, f) => {
    const inTest = new Set(order.filter((_, j) => j % k === f));
    const pick = (test: boolean) => ({ ...data, examples: data.examples.filter((_, i) => inTest.has(i) === test) });
    return { train: pick(false), test: pick(true) };
  });
}

function mean(rows: Scores[]): Scores {
  const avg = (pick: (s: Scores) => number) => rows.reduce((s, r) => s + pick(r), 0) / rows.length;
  const withOos = rows.filter((r) => r.oosRecall !== null);
  return {
    threshold: avg((r) => r.threshold),
    method: [...new Set(rows.map((r) => r.method))].join('/'),
    testExamples: rows.reduce((s, r) => s + r.testExamples, 0),
    topOne: avg((r) => r.topOne),
    served: avg((r) => r.served),
    oosRecall: withOos.length ? withOos.reduce((s, r) => s + (r.oosRecall as number), 0) / withOos.length : null,
    trainMs: avg((r) => r.trainMs),
  };
}

function datasets(which: string): Record<string, NluTrainingData> {
  const out: Record<string, NluTrainingData> = {};
  if (which === 'bundled' || which === 'all') out.bundled = loadBundledTrainingData();
  if (which === 'synthetic' || which === 'all') {
    const seen = new Set<string>();
    const examples = syntheticLargeSet(4000, 1, 40).filter((e) => !seen.has(e.text) && seen.add(e.text));
    out.synthetic = { examples, lookups: [], synonyms: [], regexes: [] };
  }
  return out;
}

function main(): void {
  const [which = 'all', mode = 'holdout', variantList] = process.argv.slice(2);
  const variants = variantList ? variantList.split(',') : Object.keys(VARIANTS);
  const results: Record<string, Record<string, Scores>> = {};
  for (const [name, data] of Object.entries(datasets(which))) {
    const splits = mode === 'kfold' ? kfold(data, 5, 7) : [splitTrainTest(data, 0.2, 42)].map((sp) => ({ train: sp.train, test: { ...data, examples: sp.test } }));
    process.stdout.write(`\n${name}: ${data.examples.length} examples, ${new Set(data.examples.map((e) => e.intent)).size} intents, ${mode} (${splits.length} split${splits.length > 1 ? 's' : ''})\n`);
    process.stdout.write(`${'variant'.padEnd(22)} ${'top-1'.padStart(7)} ${'served'.padStart(7)} ${'cost'.padStart(6)} ${'OOS rec'.padStart(7)} ${'thresh'.padStart(7)}  method          train s\n`);
    results[name] = {};
    for (const v of variants) {
      const options = VARIANTS[v];
      if (!options) throw new Error(`unknown variant ${v}; one of ${Object.keys(VARIANTS).join(', ')}`);
      const s = mean(splits.map((sp) => score(sp.train, sp.test, options)));
      results[name][v] = s;
      const pct = (x: number | null) => (x === null ? '-' : (100 * x).toFixed(1)).padStart(7);
      process.stdout.write(`${v.padEnd(22)} ${pct(s.topOne)} ${pct(s.served)} ${(100 * (s.topOne - s.served)).toFixed(2).padStart(6)} ${pct(s.oosRecall)} ${s.threshold.toFixed(3).padStart(7)}  ${s.method.padEnd(15)} ${(s.trainMs / 1000).toFixed(1).padStart(6)}\n`);
    }
  }
  mkdirSync(resolve('bench', 'results'), { recursive: true });
  writeFileSync(resolve('bench', 'results', `nlu-accuracy-${which}-${mode}.json`), JSON.stringify({ mode, results }, null, 2));
}

main();
