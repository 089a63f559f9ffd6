/**
 * Rules every training-data importer shares (Rasa YAML, JSON, the bundled data), and the
 * typed error they all throw. Importers report *where* (file line or 0-based entry index);
 * this file decides *what* is wrong, so both formats reject exactly the same data.
 *
 * Name rule (intents, entities, roles, lookup and regex names): a lowercase Latin letter
 * or a caseless letter (CJK and other scripts without case, Unicode category Lo) first,
 * then up to 63 more of those, decimal digits or `_`. So `weather_query` and `查询天气`
 * are both accepted, while `Weather`, `ask price`, `faq/x` are not: upper case would
 * make `Greet` and `greet` two intents by accident, and spaces, dots and slashes break
 * the places names travel to (model label files, metrics labels, URLs).
 */
import type { EntityAnnotation, Lang, NluTrainingData, TrainingExample } from '../core/types';

export const TRAINING_DATA_LIMITS = {
  /** examples per import; beyond it an import is refused rather than truncated */
  maxExamples: 50_000,
  /** UTF-16 units per example text, lookup element, synonym or pattern */
  maxTextLength: 1000,
  /** problems collected before an import stops listing more */
  maxProblems: 100,
} as const;

export const NAME_PATTERN = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{Nd}_]{0,63}$/u;
export const LANGS: readonly Lang[] = ['zh', 'en', 'other'];

export interface TrainingDataProblem {
  /** 1-based line in the source file (YAML) */
  line?: number;
  /** 0-based index of the example / list entry (JSON) */
  entry?: number;
  /** path of the offending field inside the entry, e.g. `entities[1].start` */
  field?: string;
  message: string;
}

export function formatProblem(p: TrainingDataProblem): string {
  const where: string[] = [];
  if (p.line !== undefined) where.push(`line ${p.line}`);
  if (p.entry !== undefined) where.push(`entry ${p.entry} (0-based)`);
  if (p.field !== undefined) where.push(`field ${p.field}`);
  return where.length > 0 ? `${where.join(', ')}: ${p.message}` : p.message;
}

/** Thrown by every importer/exporter with the full list of problems found (up to the cap). */
export class TrainingDataFormatError extends Error {
  constructor(readonly problems: TrainingDataProblem[]) {
    const shown = problems.slice(0, 5).map(formatProblem).join('; ');
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    super(`invalid training data (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${shown}${more}`);
    this.name = 'TrainingDataFormatError';
  }
}

/** Collects problems up to the cap, so one bad file yields one readable list, not 50k lines. */
export class ProblemList {
  readonly items: TrainingDataProblem[] = [];
  private truncated = false;

  constructor(private readonly cap: number = TRAINING_DATA_LIMITS.maxProblems) {}

  add(problem: TrainingDataProblem): void {
    if (this.items.length < this.cap) this.items.push(problem);
    else if (!this.truncated) {
      this.truncated = true;
      this.items.push({ message: `more than ${this.cap} problems; stopped listing` });
    }
  }

  get full(): boolean {
    return this.truncated;
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new TrainingDataFormatError(this.items);
  }
}

/** Where an item came from, so shared checks can point at it. */
export interface ItemLocation {
  line?: number;
  entry?: number;
  /** field path prefix for the item, e.g. `examples[3]` or `[3]` */
  field?: string;
  /** per-element lines (lookup elements, synonyms) when known */
  elementLines?: number[];
}

export interface DataLocations {
  examples?: ItemLocation[];
  lookups?: ItemLocation[];
  synonyms?: ItemLocation[];
  regexes?: ItemLocation[];
}

/** The message for a bad name, or null when the name is fine. */
export function checkName(kind: string, name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return `${kind} name is empty`;
  if (NAME_PATTERN.test(name)) return null;
  const hint = /\p{Lu}/u.test(name) ? ' (use lower case)' : '';
  return (
    `${kind} name ${JSON.stringify(name)} is invalid${hint}: it must start with a lowercase letter ` +
    'or a CJK letter and contain only such letters, digits and "_" (at most 64 characters)'
  );
}

// Control characters (other than tab) and line breaks cannot live on one line of a YAML
// block, and an utterance is one line: refuse them in every format.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** The message for a bad one-line string (text, element, synonym, pattern), or null. */
export function checkLine(kind: string, s: unknown): string | null {
  if (typeof s !== 'string') return `${kind} must be a string`;
  if (s.trim().length === 0) return `${kind} is empty`;
  if (s.length > TRAINING_DATA_LIMITS.maxTextLength)
    return `${kind} is ${s.length} characters long; the limit is ${TRAINING_DATA_LIMITS.maxTextLength}`;
  if (/[\r\n\u2028\u2029]/.test(s)) return `${kind} contains a line break`;
  if (CONTROL.test(s.replace(/\t/g, ''))) return `${kind} contains a control character`;
  if (s !== s.trim()) return `${kind} has leading or trailing whitespace`;
  return null;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Problems of one entity annotation against its text (no overlap check). */
export function checkEntity(text: string, e: EntityAnnotation): string[] {
  const out: string[] = [];
  const nameProblem = checkName('entity', e.entity);
  if (nameProblem) out.push(nameProblem);
  if (e.role !== undefined) {
    const roleProblem = checkName('role', e.role);
    if (roleProblem) out.push(roleProblem);
  }
  if (e.value !== undefined && (typeof e.value !== 'string' || e.value.trim() === ''))
    out.push('entity value must be a non-empty string');
  if (!Number.isInteger(e.start) || !Number.isInteger(e.end)) {
    out.push('entity start and end must be integers');
    return out;
  }
  if (e.start < 0 || e.end > text.length || e.start >= e.end) {
    out.push(`entity span ${e.start}..${e.end} is not inside the text (length ${text.length}) or is empty`);
    return out;
  }
  const surface = text.slice(e.start, e.end);
  if (surface !== surface.trim())
    out.push(`entity span ${e.start}..${e.end} (${JSON.stringify(surface)}) starts or ends with whitespace`);
  if (isHighSurrogate(text.charCodeAt(e.end - 1)) || (e.start > 0 && isHighSurrogate(text.charCodeAt(e.start - 1))))
    out.push(`entity span ${e.start}..${e.end} splits a character (surrogate pair)`);
  return out;
}

/** Problems of one example, including overlapping entities. */
export function checkExample(ex: TrainingExample): { field?: string; message: string }[] {
  const out: { field?: string; message: string }[] = [];
  const textProblem = checkLine('text', ex.text);
  if (textProblem) out.push({ field: 'text', message: textProblem });
  const intentProblem = checkName('intent', ex.intent);
  if (intentProblem) out.push({ field: 'intent', message: intentProblem });
  if (ex.lang !== undefined && !LANGS.includes(ex.lang))
    out.push({ field: 'lang', message: `lang ${JSON.stringify(ex.lang)} is not one of ${LANGS.join(', ')}` });
  if (textProblem) return out;
  ex.entities.forEach((e, i) => {
    for (const message of checkEntity(ex.text, e)) out.push({ field: `entities[${i}]`, message });
  });
  const spans = ex.entities
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => Number.isInteger(e.start) && Number.isInteger(e.end))
    .sort((a, b) => a.e.start - b.e.start);
  for (let k = 1; k < spans.length; k++) {
    const prev = spans[k - 1];
    const cur = spans[k];
    if (cur.e.start < prev.e.end)
      out.push({
        field: `entities[${cur.i}]`,
        message: `entity ${JSON.stringify(ex.text.slice(cur.e.start, cur.e.end))} (${cur.e.entity}) overlaps ${JSON.stringify(ex.text.slice(prev.e.start, prev.e.end))} (${prev.e.entity})`,
      });
  }
  return out;
}

function at(loc: ItemLocation | undefined, field: string | undefined, message: string): TrainingDataProblem {
  const p: TrainingDataProblem = { message };
  if (loc?.line !== undefined) p.line = loc.line;
  if (loc?.entry !== undefined) p.entry = loc.entry;
  const path = [loc?.field, field].filter((s) => s !== undefined && s !== '').join('.');
  if (path) p.field = path.replace('.[', '[');
  return p;
}

function elementAt(loc: ItemLocation | undefined, i: number, field: string, message: string): TrainingDataProblem {
  const line = loc?.elementLines?.[i];
  return at(line !== undefined ? { ...loc, line } : loc, field, message);
}

/**
 * Checks the whole data set: each item, then what only shows across items (a text labelled
 * with two intents, a synonym claimed by two canonical values, too many examples).
 */
export function validateTrainingData(data: NluTrainingData, problems: ProblemList, locations: DataLocations = {}): void {
  const { examples: exLoc = [], lookups: luLoc = [], synonyms: syLoc = [], regexes: reLoc = [] } = locations;
  if (data.examples.length > TRAINING_DATA_LIMITS.maxExamples)
    problems.add({ message: `${data.examples.length} examples; the limit per import is ${TRAINING_DATA_LIMITS.maxExamples}` });

  const intentOfText = new Map<string, { intent: string; index: number }>();
  const badIntents = new Set<string>();
  data.examples.forEach((ex, i) => {
    for (const p of checkExample(ex)) {
      // A bad intent name is usually shared by many examples: say so once, where it first occurs.
      if (p.field === 'intent') {
        if (badIntents.has(ex.intent)) continue;
        badIntents.add(ex.intent);
      }
      problems.add(at(exLoc[i], p.field, p.message));
    }
    const seen = intentOfText.get(ex.text);
    if (seen === undefined) intentOfText.set(ex.text, { intent: ex.intent, index: i });
    else if (seen.intent !== ex.intent) {
      const other = exLoc[seen.index]?.line !== undefined ? `line ${exLoc[seen.index].line}` : `entry ${seen.index}`;
      problems.add(at(exLoc[i], 'intent', `text ${JSON.stringify(ex.text)} is labelled ${ex.intent} here and ${seen.intent} at ${other}`));
    }
  });

  data.lookups.forEach((lu, i) => {
    const nameProblem = checkName('lookup', lu.name);
    if (nameProblem) problems.add(at(luLoc[i], 'name', nameProblem));
    if (!Array.isArray(lu.elements) || lu.elements.length === 0) problems.add(at(luLoc[i], 'elements', 'lookup has no elements'));
    else
      lu.elements.forEach((el, j) => {
        const p = checkLine('lookup element', el);
        if (p) problems.add(elementAt(luLoc[i], j, `elements[${j}]`, p));
      });
  });

  const canonicalOf = new Map<string, string>();
  data.synonyms.forEach((sy, i) => {
    const valueProblem = checkLine('synonym value', sy.value);
    if (valueProblem) problems.add(at(syLoc[i], 'value', valueProblem));
    if (!Array.isArray(sy.synonyms) || sy.synonyms.length === 0) {
      problems.add(at(syLoc[i], 'synonyms', `synonym ${JSON.stringify(sy.value)} lists no synonyms`));
      return;
    }
    sy.synonyms.forEach((s, j) => {
      const p = checkLine('synonym', s);
      if (p) problems.add(elementAt(syLoc[i], j, `synonyms[${j}]`, p));
      const prior = canonicalOf.get(s);
      if (prior !== undefined && prior !== sy.value)
        problems.add(elementAt(syLoc[i], j, `synonyms[${j}]`, `${JSON.stringify(s)} is a synonym of both ${JSON.stringify(prior)} and ${JSON.stringify(sy.value)}`));
      canonicalOf.set(s, sy.value);
    });
  });

  data.regexes.forEach((re, i) => {
    const nameProblem = checkName('regex', re.name);
    if (nameProblem) problems.add(at(reLoc[i], 'name', nameProblem));
    const lineProblem = checkLine('regex pattern', re.pattern);
    if (lineProblem) problems.add(at(reLoc[i], 'pattern', lineProblem));
    else {
      // Extractors compile patterns as JavaScript RegExps with the `u` flag (Unicode-aware
      // for Chinese text); Python-only syntax such as (?P<name>...) is refused here.
      try {
        new RegExp(re.pattern, 'u');
      } catch (err) {
        problems.add(at(reLoc[i], 'pattern', `invalid regex ${JSON.stringify(re.pattern)}: ${(err as Error).message}`));
      }
    }
  });
}

/** Throws TrainingDataFormatError when the data breaks any shared rule (exporters use it). */
export function assertValidTrainingData(data: NluTrainingData): void {
  const problems = new ProblemList();
  validateTrainingData(data, problems);
  problems.throwIfAny();
}
