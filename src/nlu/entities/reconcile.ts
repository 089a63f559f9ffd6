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
 * the trained span win. The same holds for a time or count built-in named after a user's
 * entity (entity-settings.ts): a trained entity of that name inside it narrows it the same way.
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

/**
 * A time or count built-in and a trained entity of its family, or of the name the settings
 * give it (a `number` named `party_size`): the trained span may rename and narrow it.
 * Other built-ins (price, contacts) keep their span; precedence.ts lets them absorb a
 * trained span of their name inside them (the tagger's "5000" of "5000 yuan").
 */
function agrees(builtin: string, trained: string, names: Readonly<Record<string, string>>): boolean {
  const family = FAMILY[builtin];
  return family !== undefined && (family === FAMILY[trained] || (names[builtin] ?? builtin) === trained);
}

/**
 * Built-in entities renamed (and narrowed) to the trained extractors' schema where they agree,
 * and otherwise named by `names` (entity-settings.ts): the returned entities carry their
 * final names. A `number` named `party_size` with a tagger's `party_size` inside it gets
 * the tagger's span and keeps the built-in's numeric value.
 */
export function reconcileWithTrained(
  text: string,
  builtins: readonly ExtractedEntity[],
  trained: readonly (readonly ExtractedEntity[])[],
  names: Readonly<Record<string, string>> = {},
): ExtractedEntity[] {
  const candidates = trained.flat();
  return builtins.map((b) => {
    // the longest agreeing trained span inside this built-in one
    let best: ExtractedEntity | undefined;
    for (const e of candidates) {
      if (!agrees(b.entity, e.entity, names) || e.start < b.start || e.end > b.end) continue;
      if (!best || e.end - e.start > best.end - best.start) best = e;
    }
    const name = names[b.entity] ?? b.entity;
    if (!best || (best.entity === name && best.start === b.start && best.end === b.end)) return name === b.entity ? b : { ...b, entity: name };
    return { ...b, entity: best.entity, start: best.start, end: best.end, text: text.slice(best.start, best.end), value: valueAs(b, best.entity) };
  });
}
