/**
 * Rules every training-data importer shares (Rasa YAML, JSON, NDJSON, the bundled data),
 * and the typed error they all throw. Importers report *where* (file line or 0-based entry
 * index); this file decides *what* is wrong, so every format rejects exactly the same data.
 *
 * Name rule (intents, entities, roles, lookup and regex names), as in Rasa and the public
 * datasets (`AddToPlaylist`, `timeRange`, `weather.query`, `查询天气`): a letter or digit
 * of any script first, then up to 63 more letters, digits, combining marks, `_`, `-` or
 * `.`. Names are kept exactly as given (case included). Spaces, slashes and other
 * punctuation are refused: they break the places names travel to (model label files,
 * metrics labels, URLs).
 *
 * Problems are grouped: one entry per distinct message, with how often it occurred and its
 * first few places, so a 15k-example file with one systematic fault yields one readable
 * line instead of 15k.
 */
import type { EntityAnnotation, Lang, NluTrainingData, TrainingExample } from '../core/types';

export const TRAINING_DATA_LIMITS = {
  /** examples per import; beyond it an import is refused rather than truncated */
  maxExamples: 500_000,
  /** UTF-16 units per example text, entity value, lookup element, synonym or pattern */
  maxTextLength: 1000,
  /** UTF-16 units of a synonym's canonical value (its database key) */
  maxSynonymValueLength: 200,
  /** distinct problems collected before an import stops listing more */
  maxProblems: 100,
  /** places listed per distinct problem */
  maxPlaces: 5,
  /** conflicting repeated texts listed in full */
  maxConflicts: 20,
} as const;

export const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}_.-]{0,63}$/u;
export const LANGS: readonly Lang[] = ['zh', 'en', 'other'];

/** Where a problem occurred. */
export interface ProblemPlace {
  /** 1-based line in the source file (YAML, NDJSON) */
  line?: number;
  /** 0-based index of the example / list entry (JSON) */
  entry?: number;
  /** path of the offending field inside the entry, e.g. `entities[1].start` */
  field?: string;
  /** what differs between occurrences of the same problem (a span, a length, a column) */
  detail?: string;
}

/** One distinct problem; the top-level place is its first occurrence. */
export interface TrainingDataProblem extends ProblemPlace {
  message: string;
  /** occurrences (set by ProblemList) */
  count?: number;
  /** the first few occurrences (set by ProblemList) */
  places?: ProblemPlace[];
}

/** A text given with more than one intent: each intent with its first places. */
export interface TextConflict {
  text: string;
  intents: { intent: string; places: ProblemPlace[] }[];
}

function placeText(p: ProblemPlace): string {
  const where: string[] = [];
  if (p.line !== undefined) where.push(`line ${p.line}`);
  if (p.entry !== undefined) where.push(`entry ${p.entry} (0-based)`);
  if (p.field !== undefined) where.push(`field ${p.field}`);
  return where.join(', ');
}

export function formatProblem(p: TrainingDataProblem): string {
  const where = placeText(p);
  const detail = p.detail !== undefined ? ` (${p.detail})` : '';
  const more = p.count !== undefined && p.count > 1 ? ` [${p.count} times]` : '';
  return `${where ? `${where}: ` : ''}${p.message}${detail}${more}`;
}

/** A string for a message, shortened so that a 1 MB value does not make a 1 MB error. */
export function quote(s: unknown): string {
  const str = String(s);
  return JSON.stringify(str.length > 60 ? `${str.slice(0, 60)}…` : str);
}

/** Thrown by every importer/exporter with the list of problems found (up to the cap). */
export class TrainingDataFormatError extends Error {
  constructor(
    readonly problems: TrainingDataProblem[],
    readonly conflicts: TextConflict[] = [],
  ) {
    const shown = problems.slice(0, 5).map(formatProblem).join('; ');
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    super(`invalid training data (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${shown}${more}`);
    this.name = 'TrainingDataFormatError';
  }
}

/** Collects problems, one entry per distinct message, up to the cap. */
export class ProblemList {
  readonly items: TrainingDataProblem[] = [];
  readonly conflicts: TextConflict[] = [];
  private readonly byMessage = new Map<string, TrainingDataProblem>();
  private truncated = false;

  constructor(private readonly cap: number = TRAINING_DATA_LIMITS.maxProblems) {}

  add(problem: TrainingDataProblem): void {
    const { message, count: _c, places: _p, ...place } = problem;
    const seen = this.byMessage.get(message);
    if (seen) {
      seen.count = (seen.count ?? 1) + 1;
      if (seen.places!.length < TRAINING_DATA_LIMITS.maxPlaces) seen.places!.push(place);
    } else if (this.items.length < this.cap) {
      const item: TrainingDataProblem = { ...place, message, count: 1, places: [place] };
      this.byMessage.set(message, item);
      this.items.push(item);
    } else if (!this.truncated) {
      this.truncated = true;
      this.items.push({ message: `more than ${this.cap} distinct problems; stopped listing`, count: 1, places: [] });
    }
  }

  addConflict(conflict: TextConflict): void {
    if (this.conflicts.length < TRAINING_DATA_LIMITS.maxConflicts) this.conflicts.push(conflict);
  }

  get full(): boolean {
    return this.truncated;
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new TrainingDataFormatError(this.items, this.conflicts);
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

/** What an importer changed on the way in, for the import response. */
export interface ImportStats {
  /** repeated examples (same text, intent and entities) dropped in favour of the first */
  duplicatesMerged: number;
  /** example texts whose surrounding whitespace or line breaks were normalized */
  textsNormalized: number;
}

export interface ParsedTrainingData {
  data: NluTrainingData;
  stats: ImportStats;
}

/** A problem message with an optional per-occurrence detail. */
export interface Finding {
  field?: string;
  message: string;
  detail?: string;
}

/** The message for a bad name, or null when the name is fine. */
export function checkName(kind: string, name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return `${kind} name is empty`;
  if (NAME_PATTERN.test(name)) return null;
  return (
    `${kind} name ${quote(name)} is invalid: it must start with a letter or digit and contain only letters, ` +
    'digits, "_", "-" and "." (at most 64 characters)'
  );
}

// Control characters (other than tab) and line breaks cannot live on one line of a YAML
// block, and an utterance is one line: refuse them in every format.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem of a bad one-line string (text, element, synonym, pattern), or null. */
export function lineProblem(kind: string, s: unknown, maxLength: number = TRAINING_DATA_LIMITS.maxTextLength): Finding | null {
  if (typeof s !== 'string') return { message: `${kind} must be a string` };
  if (s.trim().length === 0) return { message: `${kind} is empty` };
  if (s.length > maxLength) return { message: `${kind} is longer than ${maxLength} characters`, detail: `${s.length} characters` };
  if (/[\r\n\u2028\u2029]/.test(s)) return { message: `${kind} contains a line break` };
  if (CONTROL.test(s.replace(/\t/g, ''))) return { message: `${kind} contains a control character` };
  // A lone surrogate cannot be stored as UTF-8: databases refuse or silently replace it.
  if (LONE_SURROGATE.test(s)) return { message: `${kind} contains an unpaired surrogate (not valid Unicode)` };
  if (s !== s.trim()) return { message: `${kind} has leading or trailing whitespace` };
  return null;
}

/** The message for a bad one-line string, or null (the detail folded in). */
export function checkLine(kind: string, s: unknown): string | null {
  const p = lineProblem(kind, s);
  return p === null ? null : p.detail ? `${p.message} (${p.detail})` : p.message;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Problems of one entity annotation against its text (no overlap check). */
export function entityProblems(text: string, e: EntityAnnotation): Finding[] {
  const out: Finding[] = [];
  const nameProblem = checkName('entity', e.entity);
  if (nameProblem) out.push({ message: nameProblem });
  if (e.role !== undefined) {
    const roleProblem = checkName('role', e.role);
    if (roleProblem) out.push({ message: roleProblem });
  }
  if (e.value !== undefined) {
    const valueProblem = lineProblem('entity value', e.value);
    if (valueProblem) out.push(valueProblem);
  }
  if (!Number.isInteger(e.start) || !Number.isInteger(e.end)) {
    out.push({ message: 'entity start and end must be integers' });
    return out;
  }
  if (e.start < 0 || e.end > text.length || e.start >= e.end) {
    out.push({ message: 'entity span is not inside the text or is empty', detail: `${e.start}..${e.end}, text length ${text.length}` });
    return out;
  }
  const surface = text.slice(e.start, e.end);
  if (surface !== surface.trim())
    out.push({ message: 'entity span starts or ends with whitespace', detail: `${e.start}..${e.end} ${quote(surface)}` });
  if (isHighSurrogate(text.charCodeAt(e.end - 1)) || (e.start > 0 && isHighSurrogate(text.charCodeAt(e.start - 1))))
    out.push({ message: 'entity span splits a character (surrogate pair)', detail: `${e.start}..${e.end}` });
  return out;
}

/** Problems of one entity annotation as messages (details folded in). */
export function checkEntity(text: string, e: EntityAnnotation): string[] {
  return entityProblems(text, e).map((p) => (p.detail ? `${p.message} (${p.detail})` : p.message));
}

/** Problems of one example, including overlapping entities. */
export function checkExample(ex: TrainingExample): Finding[] {
  const out: Finding[] = [];
  const textProblem = lineProblem('text', ex.text);
  if (textProblem) out.push({ field: 'text', ...textProblem });
  const intentProblem = checkName('intent', ex.intent);
  if (intentProblem) out.push({ field: 'intent', message: intentProblem });
  if (ex.lang !== undefined && !LANGS.includes(ex.lang))
    out.push({ field: 'lang', message: `lang ${quote(ex.lang)} is not one of ${LANGS.join(', ')}` });
  if (textProblem) return out;
  ex.entities.forEach((e, i) => {
    for (const p of entityProblems(ex.text, e)) out.push({ field: `entities[${i}]`, ...p });
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
        message: 'entities overlap',
        detail: `${quote(ex.text.slice(cur.e.start, cur.e.end))} (${cur.e.entity}) overlaps ${quote(ex.text.slice(prev.e.start, prev.e.end))} (${prev.e.entity})`,
      });
  }
  return out;
}

export function at(loc: ItemLocation | undefined, field: string | undefined, message: string, detail?: string): TrainingDataProblem {
  const p: TrainingDataProblem = { message };
  if (loc?.line !== undefined) p.line = loc.line;
  if (loc?.entry !== undefined) p.entry = loc.entry;
  const path = [loc?.field, field].filter((s) => s !== undefined && s !== '').join('.');
  if (path) p.field = path.replace('.[', '[');
  if (detail !== undefined) p.detail = detail;
  return p;
}

function elementAt(loc: ItemLocation | undefined, i: number, field: string, f: Finding): TrainingDataProblem {
  const line = loc?.elementLines?.[i];
  return at(line !== undefined ? { ...loc, line } : loc, field, f.message, f.detail);
}

function placeOf(loc: ItemLocation | undefined, index: number): ProblemPlace {
  if (loc?.line !== undefined) return { line: loc.line };
  return { entry: loc?.entry ?? index };
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
  data.examples.forEach((ex, i) => {
    for (const p of checkExample(ex)) problems.add(at(exLoc[i], p.field, p.message, p.detail));
    const seen = intentOfText.get(ex.text);
    if (seen === undefined) intentOfText.set(ex.text, { intent: ex.intent, index: i });
    else if (seen.intent !== ex.intent) {
      const other = placeText(placeOf(exLoc[seen.index], seen.index));
      problems.add(at(exLoc[i], 'intent', 'the same text is labelled with different intents', `${quote(ex.text)} is ${ex.intent} here and ${seen.intent} at ${other}`));
    }
  });

  data.lookups.forEach((lu, i) => {
    const nameProblem = checkName('lookup', lu.name);
    if (nameProblem) problems.add(at(luLoc[i], 'name', nameProblem));
    if (!Array.isArray(lu.elements) || lu.elements.length === 0) problems.add(at(luLoc[i], 'elements', 'lookup has no elements'));
    else
      lu.elements.forEach((el, j) => {
        const p = lineProblem('lookup element', el);
        if (p) problems.add(elementAt(luLoc[i], j, `elements[${j}]`, p));
      });
  });

  const canonicalOf = new Map<string, string>();
  data.synonyms.forEach((sy, i) => {
    const valueProblem = lineProblem('synonym value', sy.value, TRAINING_DATA_LIMITS.maxSynonymValueLength);
    if (valueProblem) problems.add(at(syLoc[i], 'value', valueProblem.message, valueProblem.detail));
    if (!Array.isArray(sy.synonyms) || sy.synonyms.length === 0) {
      problems.add(at(syLoc[i], 'synonyms', 'synonym lists no synonyms', quote(sy.value)));
      return;
    }
    sy.synonyms.forEach((s, j) => {
      const p = lineProblem('synonym', s);
      if (p) problems.add(elementAt(syLoc[i], j, `synonyms[${j}]`, p));
      const prior = canonicalOf.get(s);
      if (prior !== undefined && prior !== sy.value)
        problems.add(elementAt(syLoc[i], j, `synonyms[${j}]`, { message: 'a synonym belongs to two canonical values', detail: `${quote(s)} is a synonym of both ${quote(prior)} and ${quote(sy.value)}` }));
      canonicalOf.set(s, sy.value);
    });
  });

  data.regexes.forEach((re, i) => {
    const nameProblem = checkName('regex', re.name);
    if (nameProblem) problems.add(at(reLoc[i], 'name', nameProblem));
    const patternProblem = lineProblem('regex pattern', re.pattern);
    if (patternProblem) problems.add(at(reLoc[i], 'pattern', patternProblem.message, patternProblem.detail));
    else {
      // Extractors compile patterns as JavaScript RegExps with the `u` flag (Unicode-aware
      // for Chinese text); Python-only syntax such as (?P<name>...) is refused here.
      try {
        new RegExp(re.pattern, 'u');
      } catch (err) {
        problems.add(at(reLoc[i], 'pattern', 'invalid regex', `${quote(re.pattern)}: ${(err as Error).message.slice(0, 200)}`));
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
