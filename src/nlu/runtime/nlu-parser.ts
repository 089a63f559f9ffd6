import type { ExtractedEntity, Lang } from '../core/types';
import type { EntityExtractionPipeline } from '../entities/pipeline';
import { detectLanguage } from '../language/detect-language';
import { Featurizer, SparseFeatures } from '../training/featurizer';
import { packSparseBatch } from '../training/intent-onnx';
import type { SequenceTagger } from '../training/sequence-tagger';

export const OUT_OF_SCOPE = 'out_of_scope';
/** Titles in 《》 come out of the title extractor with their marks; the API names them like the training data. */
export const TITLE_ENTITY = 'book_title';

export interface RankedIntent {
  name: string;
  confidence: number;
}

export interface ParseResult {
  text: string;
  language: Lang;
  intent: RankedIntent;
  intentRanking: RankedIntent[];
  entities: ExtractedEntity[];
  outOfScope: boolean;
  /** the confidence threshold in force for this answer: the request's minConfidence, else the model's */
  threshold: number;
  modelVersion: number;
}

export interface ParseOptions {
  /** overrides the model's threshold for this request, in [0, 1] */
  minConfidence?: number;
}

/** The serving state of one trained model version. */
export interface LoadedNluModel {
  version: number;
  labels: string[];
  threshold: number;
  featurizer: Featurizer;
  tagger: SequenceTagger | null;
  /** the feature-extraction model whose sentence embeddings the classifier also takes */
  encoder?: string;
}

/** Runs the intent model; `embeddings` ([batch * dim]) only for models trained with an encoder. */
export type IntentRunner = (batch: { ids: BigInt64Array; values: Float32Array; batch: number; width: number }, embeddings?: { data: Float32Array; dim: number }) => Promise<Float32Array>;

export interface ParseDeps {
  model: LoadedNluModel;
  runIntent: IntentRunner;
  entities: EntityExtractionPipeline;
  /** entities from an installed token-classification model, when there is one */
  ner?: (text: string) => Promise<ExtractedEntity[]>;
  /** sentence embeddings from the model's encoder (needed when `model.encoder` is set) */
  embed?: (texts: string[]) => Promise<Float32Array[]>;
}

/** Ranks intents and decides out-of-scope: the explicit intent, or a top confidence under the calibrated threshold. */
export function rankIntents(probs: Float32Array, labels: string[], threshold: number): { intent: RankedIntent; ranking: RankedIntent[]; outOfScope: boolean } {
  const ranking = labels.map((name, i) => ({ name, confidence: round(probs[i]) })).sort((a, b) => b.confidence - a.confidence);
  const top = ranking[0];
  const outOfScope = top.name === OUT_OF_SCOPE || top.confidence < threshold;
  return { intent: outOfScope && top.name !== OUT_OF_SCOPE ? { name: OUT_OF_SCOPE, confidence: top.confidence } : top, ranking: ranking.slice(0, 5), outOfScope };
}

/**
 * 《斗破苍穹》 -> book_title 斗破苍穹 (the inner text, as the training data annotates it).
 * Titles the pipeline already renamed (the NLU settings map `title` to a name) keep that name.
 */
export function normalizeTitles(entities: ExtractedEntity[], text: string): ExtractedEntity[] {
  return entities.map((e) => {
    const marked = e.extractor === 'lookup' && /^[《〈][^]*[》〉]$/.test(e.text);
    if (e.entity !== 'title' && !marked) return e;
    const inner = /^[《〈「『]/.test(e.text) && e.end - e.start >= 2 ? { start: e.start + 1, end: e.end - 1 } : { start: e.start, end: e.end };
    const surface = text.slice(inner.start, inner.end);
    return { ...e, entity: e.entity === 'title' ? TITLE_ENTITY : e.entity, start: inner.start, end: inner.end, text: surface, value: typeof e.value === 'string' ? e.value : surface };
  });
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Parses texts with one intent-model run for all of them (the pool batches across requests too). */
export async function parseTexts(texts: string[], lang: Lang | undefined, deps: ParseDeps, options: ParseOptions = {}): Promise<ParseResult[]> {
  const { model } = deps;
  const threshold = options.minConfidence ?? model.threshold;
  const features: SparseFeatures[] = texts.map((t) => model.featurizer.featurize(t));
  let embeddings: { data: Float32Array; dim: number } | undefined;
  if (model.encoder) {
    if (!deps.embed) throw new Error(`NLU model v${model.version} needs sentence embeddings from ${model.encoder}`);
    const vectors = await deps.embed(texts);
    const dim = vectors[0].length;
    const data = new Float32Array(texts.length * dim);
    vectors.forEach((v, i) => data.set(v, i * dim));
    embeddings = { data, dim };
  }
  const probs = await deps.runIntent(packSparseBatch(features), embeddings);
  const C = model.labels.length;
  return Promise.all(
    texts.map(async (text, i) => {
      const language = lang ?? detectLanguage(text).lang;
      const { intent, ranking, outOfScope } = rankIntents(probs.subarray(i * C, (i + 1) * C), model.labels, threshold);
      const extra: ExtractedEntity[][] = [];
      if (model.tagger) extra.push(model.tagger.predict(text));
      if (deps.ner) extra.push(await deps.ner(text));
      const entities = normalizeTitles(deps.entities.extract(text, language, extra), text);
      return { text, language, intent, intentRanking: ranking, entities, outOfScope, threshold, modelVersion: model.version };
    }),
  );
}
