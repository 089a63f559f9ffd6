/**
 * What importers clean up instead of refusing, as real datasets need:
 *   - an example text loses its leading and trailing whitespace, and every run of
 *     whitespace that contains a line break becomes one space; entity offsets move with
 *     the text, and an entity span loses its own surrounding whitespace too. An entity that
 *     covered only removed whitespace is a problem (it has no text left).
 *   - a text given more than once with the same intent and entities is kept once (the first
 *     occurrence) and counted; the same text with different intents (or different entity
 *     annotations) is a problem listing the text, each intent and its first places.
 */
import type { EntityAnnotation, TrainingExample } from '../core/types';
import { ItemLocation, ProblemList, ProblemPlace, TRAINING_DATA_LIMITS, TextConflict, at, quote } from './validation';

const BREAK = /[\r\n\u2028\u2029]/;
const SPACE = /\s/;

/** The normalized text and, for each old offset 0..text.length, its new offset. */
export function normalizeText(text: string): { text: string; offsets: number[] } {
  const offsets = new Array<number>(text.length + 1);
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (!SPACE.test(text[i])) {
      offsets[i] = out.length;
      out += text[i++];
      continue;
    }
    let j = i;
    while (j < text.length && SPACE.test(text[j])) j++;
    const run = text.slice(i, j);
    const edge = i === 0 || j === text.length;
    const keep = edge ? '' : BREAK.test(run) ? ' ' : run;
    for (let k = i; k < j; k++) offsets[k] = out.length + Math.min(k - i, keep.length);
    out += keep;
    i = j;
  }
  offsets[text.length] = out.length;
  return { text: out, offsets };
}

export interface NormalizedExample {
  example: TrainingExample;
  /** the text changed */
  changed: boolean;
  /** entity indices whose span held only removed whitespace */
  emptied: number[];
}

const validSpan = (e: EntityAnnotation, length: number): boolean =>
  Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.end <= length && e.start < e.end;

/** Normalizes one example (text and entity spans); spans already outside the text are left for validation to report. */
export function normalizeExample(ex: TrainingExample): NormalizedExample {
  if (typeof ex.text !== 'string') return { example: ex, changed: false, emptied: [] };
  const { text, offsets } = normalizeText(ex.text);
  const emptied: number[] = [];
  const entities = ex.entities.map((e, i) => {
    if (!validSpan(e, ex.text.length)) return e;
    let start = offsets[e.start];
    let end = offsets[e.end];
    while (start < end && SPACE.test(text[start])) start++;
    while (end > start && SPACE.test(text[end - 1])) end--;
    if (start === end) emptied.push(i);
    return start === e.start && end === e.end ? e : { ...e, start, end };
  });
  return { example: { ...ex, text, entities }, changed: text !== ex.text, emptied };
}

function sameAnnotation(a: TrainingExample, b: TrainingExample): boolean {
  const key = (ex: TrainingExample) =>
    JSON.stringify([...ex.entities].sort((x, y) => x.start - y.start || x.end - y.end).map((e) => [e.entity, e.start, e.end, e.value ?? null, e.role ?? null]));
  return key(a) === key(b);
}

function placeOf(loc: ItemLocation | undefined, index: number): ProblemPlace {
  return loc?.line !== undefined ? { line: loc.line } : { entry: loc?.entry ?? index };
}

/**
 * Drops repeated examples in place (examples and their locations stay aligned), keeping the
 * first; reports texts that repeat with a different intent or different entities. Returns
 * how many repeats were merged.
 */
export function mergeDuplicateExamples(examples: TrainingExample[], locations: ItemLocation[], problems: ProblemList): number {
  const first = new Map<string, number>();
  const conflicts = new Map<string, TextConflict>();
  const repeats = new Map<string, ProblemPlace[]>();
  let merged = 0;
  let w = 0;
  const n = examples.length;
  for (let i = 0; i < n; i++) {
    const ex = examples[i];
    const loc = locations[i];
    const k = first.get(ex.text);
    if (k === undefined) {
      first.set(ex.text, w);
      examples[w] = ex;
      locations[w] = loc;
      w++;
      continue;
    }
    const kept = examples[k];
    if (kept.intent === ex.intent && sameAnnotation(kept, ex)) {
      merged++;
      kept.lang ??= ex.lang;
      const places = conflicts.get(ex.text)?.intents.find((x) => x.intent === ex.intent)?.places ?? repeats.get(ex.text) ?? [placeOf(locations[k], k)];
      if (places.length < TRAINING_DATA_LIMITS.maxPlaces) places.push(placeOf(loc, i));
      if (!conflicts.has(ex.text)) repeats.set(ex.text, places);
      continue;
    }
    if (kept.intent !== ex.intent) {
      let c = conflicts.get(ex.text);
      if (!c) {
        c = { text: ex.text, intents: [{ intent: kept.intent, places: repeats.get(ex.text) ?? [placeOf(locations[k], k)] }] };
        repeats.delete(ex.text);
        conflicts.set(ex.text, c);
        problems.addConflict(c);
      }
      const own = c.intents.find((x) => x.intent === ex.intent);
      if (!own) c.intents.push({ intent: ex.intent, places: [placeOf(loc, i)] });
      else if (own.places.length < TRAINING_DATA_LIMITS.maxPlaces) own.places.push(placeOf(loc, i));
      const other = locations[k]?.line !== undefined ? `line ${locations[k].line}` : `entry ${locations[k]?.entry ?? k}`;
      problems.add(at(loc, 'intent', 'the same text is labelled with different intents', `${quote(ex.text)} is ${ex.intent} here and ${kept.intent} at ${other}`));
    } else {
      const other = locations[k]?.line !== undefined ? `line ${locations[k].line}` : `entry ${locations[k]?.entry ?? k}`;
      problems.add(at(loc, 'entities', 'the same text is annotated with different entities', `${quote(ex.text)}: compare ${other}`));
    }
  }
  examples.length = w;
  locations.length = Math.min(locations.length, w);
  return merged;
}
