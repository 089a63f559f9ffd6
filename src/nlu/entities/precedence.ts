/**
 * Precedence of the user's trained tagger over the rules.
 *
 * mergeEntities alone lets the longer span win and, on equal spans, the built-in: a `4` the
 * user's data labels `party_size` came back as the built-in `number`, a `北京` labelled
 * `location` as the bundled `city`. The tagger speaks the user's schema, so where it found
 * something, its span wins:
 *  1. a built-in, gazetteer or title match that contains a tagger span of the same entity
 *     name keeps its own span and resolved value and absorbs that tagger span (the tagger's
 *     昆 of 昆明 becomes the city 昆明; 《三体》 stays whole; "5000" of "5000 yuan" stays the
 *     price 5000 yuan). Time and count built-ins were already narrowed onto the tagger's
 *     span by reconcile.ts, so for them the user's span convention holds;
 *  2. every other built-in and gazetteer match that overlaps a tagger span is dropped.
 * What is left goes to mergeEntities as before; user regexes and other model extractors
 * (a transformer NER model) are not affected.
 *
 * Also here: a built-in match that cuts through a gazetteer entry loses to it (the 明天 of
 * 昆明天气 against the city 昆明); builtin/word-cuts.ts does the same for jieba's words.
 */
import type { ExtractedEntity } from '../core/types';
import { cutsWord } from './builtin/word-cuts';

const CONTACT = new Set(['email', 'phone', 'url']);
const within = (inner: ExtractedEntity, outer: ExtractedEntity) => inner.start >= outer.start && inner.end <= outer.end;
const overlaps = (a: ExtractedEntity, b: ExtractedEntity) => a.start < b.end && b.start < a.end;

/** Built-ins (other than email, phone, url) that cut through a gazetteer match are dropped. */
export function dropGazetteerCuts(builtins: readonly ExtractedEntity[], lookups: readonly ExtractedEntity[]): ExtractedEntity[] {
  if (lookups.length === 0) return [...builtins];
  return builtins.filter((b) => CONTACT.has(b.entity) || !lookups.some((l) => cutsWord(b, l)));
}

/**
 * Applies the tagger's precedence to the rule-based candidates (built-ins and lookups, after
 * reconcile) and returns both lists to merge: the surviving rules and the tagger spans not
 * absorbed by a lookup.
 */
export function applyTaggerPrecedence(
  rules: readonly ExtractedEntity[],
  tagger: readonly ExtractedEntity[],
): { rules: ExtractedEntity[]; tagger: ExtractedEntity[] } {
  if (tagger.length === 0) return { rules: [...rules], tagger: [] };
  const absorbed = new Set<ExtractedEntity>();
  const confirmed = new Set<ExtractedEntity>();
  for (const r of rules) {
    for (const t of tagger) {
      if (t.entity !== r.entity) continue;
      if (within(t, r)) {
        confirmed.add(r);
        absorbed.add(t);
      }
    }
  }
  const kept = tagger.filter((t) => !absorbed.has(t));
  return { rules: rules.filter((r) => confirmed.has(r) || !kept.some((t) => overlaps(r, t))), tagger: kept };
}
