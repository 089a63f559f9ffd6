/**
 * Shared NLU types. Plain TypeScript: the training code, the entity extractors, the
 * importers and the NestJS service all speak these.
 */

export type Lang = 'zh' | 'en' | 'other';

/** An entity span annotated in a training example; offsets are UTF-16 indices into `text`, end exclusive. */
export interface EntityAnnotation {
  entity: string;
  start: number;
  end: number;
  /** canonical value when it differs from the text (synonym) */
  value?: string;
  /** optional role/group as in Rasa */
  role?: string;
}

export interface TrainingExample {
  text: string;
  intent: string;
  entities: EntityAnnotation[];
  /** language of the example when known */
  lang?: Lang;
}

export interface LookupTable {
  /** the entity type the lookup yields, e.g. "city" */
  name: string;
  elements: string[];
}

export interface Synonym {
  /** canonical value */
  value: string;
  synonyms: string[];
}

export interface RegexPattern {
  /** the entity type it yields, e.g. "order_id" */
  name: string;
  pattern: string;
}

export interface NluTrainingData {
  examples: TrainingExample[];
  lookups: LookupTable[];
  synonyms: Synonym[];
  regexes: RegexPattern[];
}

/** An entity found in an utterance at parse time. */
export interface ExtractedEntity {
  entity: string;
  /** canonical/resolved value: a string, a number, an ISO date, { amount, currency }, ... */
  value: unknown;
  /** the exact surface text, equal to utterance.slice(start, end) */
  text: string;
  start: number;
  end: number;
  confidence: number;
  /** which extractor produced it: regex, builtin, lookup, tagger, <model id> */
  extractor: string;
}
