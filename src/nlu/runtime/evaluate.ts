/**
 * Evaluation of the NLU pipeline on held-out examples: train on one part, predict the
 * other with the same code that serves (features, intent network, threshold, rules,
 * gazetteers, tagger), score intents and entities. Used by POST /nlu/evaluate and by
 * bench:nlu. Plain TypeScript; training itself is injected (a worker in the server).
 */
import type { NluTrainingData, TrainingExample } from '../core/types';
import { EntityExtractionPipeline } from '../entities/pipeline';
import { detectLanguage } from '../language/detect-language';
import { Featurizer } from '../training/featurizer';
import { runIntentModelReference } from '../training/intent-onnx';
import { accuracy, ClassScores, confusionMatrix, ConfusionMatrix, entityScores, EntityScores, kFoldSplits, macroF1, outOfScopeRecall, perClassScores } from '../training/metrics';
import type { TrainedArtifacts } from '../training/pipeline';
import { SequenceTagger } from '../training/sequence-tagger';
import { createGazetteer } from './gazetteer-module';
import { normalizeTitles, OUT_OF_SCOPE, rankIntents } from './nlu-parser';

export type Trainer = (data: NluTrainingData) => Promise<TrainedArtifacts>;

export interface Predictions {
  intents: string[];
  entities: { entity: string; start: number; end: number }[][];
}

export interface EvaluationReport {
  examples: number;
  accuracy: number;
  macroF1: number;
  perIntent: Record<string, ClassScores>;
  confusion: ConfusionMatrix;
  outOfScopeRecall: number | null;
  entities: EntityScores;
  folds?: { accuracy: number; macroF1: number; entityF1: number }[];
}

/** A predictor built from trained artifacts, exactly as the server would serve them. */
export function predictorFor(artifacts: TrainedArtifacts, train: NluTrainingData, embeddingOf?: (text: string) => Float32Array): (texts: string[]) => Predictions {
  const model = artifacts.intent;
  const featurizer = new Featurizer(model.featurizer);
  const tagger = artifacts.tagger ? SequenceTagger.fromJSON(JSON.parse(artifacts.tagger), createGazetteer(train)) : null;
  const pipeline = new EntityExtractionPipeline({ lookups: train.lookups, synonyms: train.synonyms, regexes: train.regexes });
  return (texts) => {
    const embeddings = model.shape.embeddingDim && embeddingOf ? texts.map(embeddingOf) : undefined;
    const probs = runIntentModelReference(model, texts.map((t) => featurizer.featurize(t)), embeddings);
    const C = model.labels.length;
    const intents = texts.map((_, i) => rankIntents(probs.subarray(i * C, (i + 1) * C), model.labels, model.threshold).intent.name);
    const entities = texts.map((text) => {
      const extra = tagger ? [tagger.predict(text)] : [];
      return normalizeTitles(pipeline.extract(text, detectLanguage(text).lang, extra), text).map((e) => ({ entity: e.entity, start: e.start, end: e.end }));
    });
    return { intents, entities };
  };
}

export function score(test: TrainingExample[], predicted: Predictions): EvaluationReport {
  const gold = test.map((e) => e.intent);
  const hasOos = gold.includes(OUT_OF_SCOPE);
  return {
    examples: test.length,
    accuracy: accuracy(gold, predicted.intents),
    macroF1: macroF1(gold, predicted.intents),
    perIntent: perClassScores(gold, predicted.intents),
    confusion: confusionMatrix(gold, predicted.intents),
    outOfScopeRecall: hasOos ? outOfScopeRecall(gold, predicted.intents, OUT_OF_SCOPE) : null,
    entities: entityScores(
      test.map((e) => e.entities.map((a) => ({ entity: a.entity, start: a.start, end: a.end }))),
      predicted.entities,
    ),
  };
}

/** Train on `train`, score on `test`. `embeddingOf` gives sentence embeddings when the trainer uses an encoder. */
export async function evaluateHoldout(train: NluTrainingData, test: TrainingExample[], trainer: Trainer, embeddingOf?: (text: string) => Float32Array): Promise<EvaluationReport> {
  const artifacts = await trainer(train);
  return score(test, predictorFor(artifacts, train, embeddingOf)(test.map((e) => e.text)));
}

/** k-fold cross-validation: predictions from k models pooled into one report, plus per-fold scores. */
export async function evaluateKFold(data: NluTrainingData, k: number, seed: number, trainer: Trainer, embeddingOf?: (text: string) => Float32Array): Promise<EvaluationReport> {
  const folds = kFoldSplits(data.examples.length, k, seed);
  const order: TrainingExample[] = [];
  const pooled: Predictions = { intents: [], entities: [] };
  const perFold: { accuracy: number; macroF1: number; entityF1: number }[] = [];
  for (const fold of folds) {
    const train = { ...data, examples: fold.train.map((i) => data.examples[i]) };
    const test = fold.test.map((i) => data.examples[i]);
    const predicted = predictorFor(await trainer(train), train, embeddingOf)(test.map((e) => e.text));
    const r = score(test, predicted);
    perFold.push({ accuracy: r.accuracy, macroF1: r.macroF1, entityF1: r.entities.overall.f1 });
    order.push(...test);
    pooled.intents.push(...predicted.intents);
    pooled.entities.push(...predicted.entities);
  }
  return { ...score(order, pooled), folds: perFold };
}
