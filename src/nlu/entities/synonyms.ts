/**
 * Synonym mapping (Rasa's EntitySynonymMapper): an entity whose value, or failing that whose
 * surface text, equals a synonym (ignoring case and full-width/half-width differences) gets
 * the canonical value. Only string values are mapped; numbers, dates and prices are already
 * canonical. The canonical value maps to itself, so "nyc", "NYC" and "New York" all end as
 * "New York".
 */
import type { ExtractedEntity, Synonym } from '../core/types';

/** Case- and width-insensitive key: ＮＹＣ, nyc and NYC are one synonym. */
export function synonymKey(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase();
}

export class SynonymMapper {
  private readonly map = new Map<string, string>();

  constructor(synonyms: readonly Synonym[] = []) {
    this.add(synonyms);
  }

  /** Later definitions of the same synonym replace earlier ones. */
  add(synonyms: readonly Synonym[]): void {
    for (const s of synonyms) {
      if (typeof s.value !== 'string' || s.value.trim() === '') {
        throw new TypeError('A synonym needs a non-empty canonical "value".');
      }
      this.map.set(synonymKey(s.value), s.value);
      for (const form of s.synonyms) {
        if (typeof form === 'string' && form.trim() !== '') this.map.set(synonymKey(form), s.value);
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** The canonical value for a string, or undefined when it is no known synonym. */
  lookup(s: string): string | undefined {
    return this.map.get(synonymKey(s));
  }

  /** Returns new entity objects where a mapping applies; the input is not modified. */
  apply(entities: readonly ExtractedEntity[]): ExtractedEntity[] {
    if (this.map.size === 0) return [...entities];
    return entities.map((e) => {
      if (typeof e.value !== 'string') return e;
      const canonical = this.lookup(e.value) ?? this.lookup(e.text);
      return canonical === undefined || canonical === e.value ? e : { ...e, value: canonical };
    });
  }
}

export function applySynonyms(entities: readonly ExtractedEntity[], synonyms: readonly Synonym[]): ExtractedEntity[] {
  return new SynonymMapper(synonyms).apply(entities);
}
