/**
 * Schema reconciliation between built-in extractors and trained ones.
 *
 * The built-ins name things their own way: "this weekend" is a `date_range`, "tonight" a
 * `datetime_range`, the "3" of "add 3 t-shirts" a `number`, "5 copies" a `quantity` with its
 * unit. A trained extractor (the sequence tagger, learned from the user's annotations)
 * speaks the user's schema instead: the bundled data annotates every date expression as
 * `date` and an English quantity as the number word alone ("5"). Plain merging let the
 * built-in win (longer span, higher priority), so the user's own `date` / `quantity`
 * annotations could never be reproduced: on the bundled data's held-out split, date recall
 * was 0.54 and quantity F1 0.50.
 *
 * Rule: when a trained entity overlaps a built-in one of the same family (time: date,
 * datetime, date_range, datetime_range; count: number, quantity) and lies within it, the
 * built-in entity takes the trained entity's type and span and keeps its own resolved value
 * and confidence (a `number` becoming a `quantity` gets the { amount, unit } shape with an
 * empty unit). Everything else is left to mergeEntities. A trained entity of another family
 * (a tagger's `product` over a builtin `number`) changes nothing here; precedence.ts then lets
 * the trained span win. The same holds for a built-in renamed to a user's entity name
 * (entity-settings.ts): a trained entity of that name inside it narrows it the same way.
 */
import type { ExtractedEntity } from '../core/types';
import type { QuantityValue } from './builtin/quantity';

const FAMILY: Record<string, string> = {
  date: 'time',
  datetime: 'time',
  date_range: 'time',
  datetime_range: 'time',
  number: 'count',
  quantity: 'count',
};

function valueAs(b: ExtractedEntity, type: string): unknown {
  if (type === 'quantity' && b.entity === 'number' && typeof b.value === 'number') return { amount: b.value, unit: '' } satisfies QuantityValue;
  if (type === 'number' && b.entity === 'quantity') return (b.value as QuantityValue).amount;
  return b.value;
}

/** Same name, or both in one family (time, count): the trained span may rename and narrow the built-in one. */
function agrees(builtin: string, trained: string): boolean {
  return builtin === trained || (FAMILY[builtin] !== undefined && FAMILY[builtin] === FAMILY[trained]);
}

/**
 * Built-in entities renamed (and narrowed) to the trained extractors' schema where they agree
 * on the family or carry the same name (a `number` configured as `party_size` and a tagger's
 * `party_size` inside it: the tagger's span, the built-in's numeric value).
 */
export function reconcileWithTrained(text: string, builtins: readonly ExtractedEntity[], trained: readonly (readonly ExtractedEntity[])[]): ExtractedEntity[] {
  const candidates = trained.flat();
  if (candidates.length === 0) return [...builtins];
  return builtins.map((b) => {
    // the longest agreeing trained span inside this built-in one
    let best: ExtractedEntity | undefined;
    for (const e of candidates) {
      if (!agrees(b.entity, e.entity) || e.start < b.start || e.end > b.end) continue;
      if (!best || e.end - e.start > best.end - best.start) best = e;
    }
    if (!best || (best.entity === b.entity && best.start === b.start && best.end === b.end)) return b;
    return { ...b, entity: best.entity, start: best.start, end: best.end, text: text.slice(best.start, best.end), value: valueAs(b, best.entity) };
  });
}
