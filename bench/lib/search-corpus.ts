/**
 * Data for bench:search, built from the bundled NLU examples (no download):
 *  - a vocabulary of their words (jieba words for Chinese, the segmenter search indexes with),
 *    from which a seeded generator writes any number of zh/en chunks around 1000 topics, with
 *    metadata for filters of known selectivity (category: 100 values, 1% each; bucket 0-99);
 *  - a labelled retrieval set: every example is a document, every in-scope example a query
 *    whose relevant documents are the other examples of its intent.
 */
import { wordTokens } from '../../src/common/text/segment';
import type { TrainingExample } from '../../src/nlu/core/types';
import { Rng } from '../../src/nlu/training/rng';

export const CATEGORIES = 100;
const TOPICS = 1000;
const TOPIC_WORDS = 12;

export interface Chunk {
  id: string;
  text: string;
  metadata: { category: string; bucket: number; lang: 'zh' | 'en'; topic: number };
}

export interface Vocabulary {
  zh: string[];
  en: string[];
}

/** Distinct words of the examples, per language, in first-seen order (deterministic). */
export function vocabulary(examples: TrainingExample[]): Vocabulary {
  const sets = { zh: new Set<string>(), en: new Set<string>() };
  for (const e of examples) {
    for (const t of wordTokens(e.text)) {
      if (t.kind === 'punct') continue;
      const w = e.text.slice(t.start, t.end);
      if (t.kind === 'han') sets.zh.add(w);
      else sets.en.add(w.toLowerCase());
    }
  }
  return { zh: [...sets.zh], en: [...sets.en] };
}

/**
 * A deterministic stream of texts: each picks a topic (a fixed set of words per language)
 * and mixes its words with random vocabulary, so nearest neighbours are meaningful and many
 * texts are near each other (the hard case for an approximate index).
 */
export class ChunkGenerator {
  private readonly rng: Rng;
  private readonly topics: { zh: string[]; en: string[] }[];

  constructor(private readonly vocab: Vocabulary, seed = 11) {
    this.rng = new Rng(seed);
    const pick = (words: string[]) => Array.from({ length: TOPIC_WORDS }, () => words[this.rng.int(words.length)]);
    this.topics = Array.from({ length: TOPICS }, () => ({ zh: pick(vocab.zh), en: pick(vocab.en) }));
  }

  text(): { text: string; lang: 'zh' | 'en'; topic: number } {
    const lang = this.rng.next() < 0.5 ? 'zh' : 'en';
    const topic = this.rng.int(TOPICS);
    const own = this.topics[topic][lang];
    const all = this.vocab[lang];
    const n = 8 + this.rng.int(17);
    const words = Array.from({ length: n }, () => (this.rng.next() < 0.5 ? own[this.rng.int(own.length)] : all[this.rng.int(all.length)]));
    // sentence ends now and then, so the chunker sees real sentences
    const sep = lang === 'zh' ? '' : ' ';
    const text = words.map((w, i) => (i > 0 && i % 9 === 8 ? w + (lang === 'zh' ? '。' : '.') : w)).join(sep) + (lang === 'zh' ? '。' : '.');
    return { text, lang, topic };
  }

  chunks(n: number): Chunk[] {
    return Array.from({ length: n }, (_, i) => {
      const t = this.text();
      const category = this.rng.int(CATEGORIES);
      return { id: `c${i}`, text: t.text, metadata: { category: `cat-${category}`, bucket: this.rng.int(100), lang: t.lang, topic: t.topic } };
    });
  }
}

export interface LabelledSet {
  documents: { id: string; text: string; metadata: { intent: string } }[];
  /** query i is documents[i]; relevant: the ids of the other documents of its intent */
  queries: { index: number; text: string; relevant: Set<string> }[];
}

/** The bundled examples as documents; every in-scope example with at least one other of its intent is a query. */
export function labelledSet(examples: TrainingExample[]): LabelledSet {
  const seen = new Set<string>();
  const unique = examples.filter((e) => !seen.has(e.text) && (seen.add(e.text), true));
  const documents = unique.map((e, i) => ({ id: `ex${i}`, text: e.text, metadata: { intent: e.intent } }));
  const byIntent = new Map<string, string[]>();
  documents.forEach((d) => byIntent.set(d.metadata.intent, [...(byIntent.get(d.metadata.intent) ?? []), d.id]));
  const queries = documents
    .map((d, index) => ({ index, text: d.text, relevant: new Set(byIntent.get(d.metadata.intent)!.filter((id) => id !== d.id)), intent: d.metadata.intent }))
    .filter((q) => q.intent !== 'out_of_scope' && q.relevant.size > 0)
    .map(({ index, text, relevant }) => ({ index, text, relevant }));
  return { documents, queries };
}
