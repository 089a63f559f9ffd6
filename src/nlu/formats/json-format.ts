/**
 * Training data as JSON, in either of two shapes:
 *   - a list of examples: [{ "text", "intent", "entities"?: [...], "lang"? }]
 *   - an object: { "examples": [...], "lookups"?: [{ name, elements }],
 *                  "synonyms"?: [{ value, synonyms }], "regexes"?: [{ name, pattern }] }
 * An entity is { entity, start, end, value?, role? } or { entity, value, role? }; the second
 * form locates the value's first occurrence in the text (an error when absent) and keeps no
 * `value` since it equals the surface text.
 *
 * Problems name the 0-based entry index (`entry`) and the field path; unknown fields are
 * errors, because a misspelt "entites" would otherwise silently drop every annotation.
 * Round trip: parseJsonTrainingData(JSON.stringify(toJsonTrainingData(x))) deep-equals x.
 */
import type { EntityAnnotation, Lang, LookupTable, NluTrainingData, RegexPattern, Synonym, TrainingExample } from '../core/types';
import { mergeDuplicateExamples, normalizeExample } from './normalize';
import {
  DataLocations,
  ItemLocation,
  LANGS,
  ParsedTrainingData,
  ProblemList,
  TRAINING_DATA_LIMITS,
  TrainingDataFormatError,
  TrainingDataProblem,
  assertValidTrainingData,
  quote,
  validateTrainingData,
} from './validation';

export interface JsonEntity {
  entity: string;
  start?: number;
  end?: number;
  value?: string;
  role?: string;
}
export interface JsonExample {
  text: string;
  intent: string;
  entities?: JsonEntity[];
  lang?: Lang;
}
export interface JsonTrainingDocument {
  examples: JsonExample[];
  lookups?: LookupTable[];
  synonyms?: Synonym[];
  regexes?: RegexPattern[];
}

export interface JsonParseOptions {
  /** lang for examples that carry none */
  lang?: Lang;
}

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Where one JSON value came from: its entry index (JSON) or line (NDJSON), and its field path prefix. */
interface Loc {
  entry?: number;
  line?: number;
  path: string;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

type ListKey = 'lookups' | 'synonyms' | 'regexes';
const LIST_FIELDS: Record<ListKey, [string, string]> = { lookups: ['name', 'elements'], synonyms: ['value', 'synonyms'], regexes: ['name', 'pattern'] };

export class JsonReader {
  readonly data: NluTrainingData = { examples: [], lookups: [], synonyms: [], regexes: [] };
  readonly locations: Required<DataLocations> = { examples: [], lookups: [], synonyms: [], regexes: [] };
  normalized = 0;

  constructor(
    readonly problems: ProblemList,
    private readonly defaultLang: Lang | undefined,
  ) {}

  private report(loc: Loc | undefined, field: string, message: string, detail?: string): void {
    const p: TrainingDataProblem = { message };
    if (loc?.line !== undefined) p.line = loc.line;
    if (loc?.entry !== undefined) p.entry = loc.entry;
    if (field) p.field = field;
    if (detail !== undefined) p.detail = detail;
    this.problems.add(p);
  }

  private unknownFields(obj: Rec, allowed: string[], loc: Loc, path: string): void {
    for (const key of Object.keys(obj))
      if (!allowed.includes(key)) this.report(loc, join(path, key), `unknown field ${quote(key)} (expected ${allowed.join(', ')})`);
  }

  /** The examples list of the JSON forms (`prefix` is '' for a bare list, else `examples`). */
  readExamples(list: unknown, prefix: string): void {
    if (!Array.isArray(list)) {
      this.report(undefined, prefix || 'examples', `examples must be a list, not ${typeName(list)}`);
      return;
    }
    if (list.length > TRAINING_DATA_LIMITS.maxExamples) {
      this.report(undefined, prefix || '(root)', `${list.length} examples; the limit per import is ${TRAINING_DATA_LIMITS.maxExamples}`);
      return;
    }
    for (let i = 0; i < list.length && !this.problems.full; i++) this.readExample(list[i], { entry: i, path: `${prefix}[${i}]` });
  }

  readExample(raw: unknown, loc: Loc): void {
    const path = loc.path;
    if (!isRecord(raw)) return this.report(loc, path, `an example must be an object, not ${typeName(raw)}`);
    this.unknownFields(raw, ['text', 'intent', 'entities', 'lang'], loc, path);
    let ok = true;
    for (const key of ['text', 'intent'] as const) {
      if (typeof raw[key] !== 'string') {
        ok = false;
        this.report(loc, join(path, key), raw[key] === undefined ? `${key} is missing` : `${key} must be a string, not ${typeName(raw[key])}`);
      }
    }
    const lang = raw.lang ?? this.defaultLang;
    if (lang !== undefined && !LANGS.includes(lang as Lang)) {
      ok = false;
      this.report(loc, join(path, 'lang'), `lang must be one of ${LANGS.join(', ')}`);
    }
    const entities: EntityAnnotation[] = [];
    if (raw.entities !== undefined && raw.entities !== null && !Array.isArray(raw.entities)) {
      ok = false;
      this.report(loc, join(path, 'entities'), `entities must be a list, not ${typeName(raw.entities)}`);
    } else if (Array.isArray(raw.entities) && typeof raw.text === 'string') {
      raw.entities.forEach((e, k) => {
        const got = this.readEntity(e, raw.text as string, loc, `${join(path, 'entities')}[${k}]`);
        if (got) entities.push(got);
        else ok = false;
      });
    }
    if (!ok) return;
    const ex: TrainingExample = { text: raw.text as string, intent: raw.intent as string, entities };
    if (lang !== undefined) ex.lang = lang as Lang;
    const norm = normalizeExample(ex);
    for (const k of norm.emptied)
      this.report(loc, `${join(path, 'entities')}[${k}]`, 'entity span is outside the text once its whitespace is normalized', `${entities[k].start}..${entities[k].end}`);
    if (norm.emptied.length > 0) return;
    if (norm.changed) this.normalized++;
    this.data.examples.push(norm.example);
    this.locations.examples.push(loc.line !== undefined ? { line: loc.line, field: path } : { entry: loc.entry, field: path });
  }

  private readEntity(raw: unknown, text: string, loc: Loc, path: string): EntityAnnotation | null {
    if (!isRecord(raw)) {
      this.report(loc, path, `an entity must be an object, not ${typeName(raw)}`);
      return null;
    }
    this.unknownFields(raw, ['entity', 'start', 'end', 'value', 'role'], loc, path);
    let ok = true;
    const need = (key: string, cond: boolean, what: string): void => {
      if (!cond) {
        ok = false;
        this.report(loc, `${path}.${key}`, raw[key] === undefined ? `${key} is missing` : `${key} must be ${what}, not ${typeName(raw[key])}`);
      }
    };
    need('entity', typeof raw.entity === 'string', 'a string');
    if (raw.value !== undefined) need('value', typeof raw.value === 'string', 'a string');
    if (raw.role !== undefined) need('role', typeof raw.role === 'string', 'a string');
    const hasStart = raw.start !== undefined;
    const hasEnd = raw.end !== undefined;
    if (hasStart !== hasEnd) {
      this.report(loc, `${path}.${hasStart ? 'end' : 'start'}`, 'start and end must be given together');
      return null;
    }
    if (hasStart) {
      need('start', Number.isInteger(raw.start), 'an integer');
      need('end', Number.isInteger(raw.end), 'an integer');
    } else if (raw.value === undefined) {
      this.report(loc, `${path}.value`, 'an entity needs start and end, or a value that occurs in the text');
      return null;
    }
    if (!ok) return null;
    const e: EntityAnnotation = { entity: raw.entity as string, start: 0, end: 0 };
    if (hasStart) {
      e.start = raw.start as number;
      e.end = raw.end as number;
      if (raw.value !== undefined) e.value = raw.value as string;
    } else {
      const value = raw.value as string;
      const found = value === '' ? -1 : text.indexOf(value);
      if (found < 0) {
        this.report(loc, `${path}.value`, 'entity value does not occur in the text, so start/end cannot be computed', quote(value));
        return null;
      }
      e.start = found;
      e.end = found + value.length;
    }
    if (raw.role !== undefined) e.role = raw.role as string;
    return e;
  }

  /** The lookups / synonyms / regexes list of the object form. */
  readList(list: unknown, key: ListKey): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) return this.report(undefined, key, `${key} must be a list, not ${typeName(list)}`);
    list.forEach((raw, i) => this.readListItem(raw, key, LIST_FIELDS[key], { path: `${key}[${i}]` }));
  }

  /** One lookup, synonym or regex; `fields` names its key field and its list/pattern field. */
  readListItem(raw: unknown, key: ListKey, fields: [string, string], loc: Loc): void {
    const path = loc.path;
    if (!isRecord(raw)) return this.report(loc, path, `must be an object, not ${typeName(raw)}`);
    this.unknownFields(raw, fields, loc, path);
    const [k, v] = [raw[fields[0]], raw[fields[1]]];
    const where: ItemLocation = loc.line !== undefined ? { line: loc.line, field: path } : { field: path };
    const valid = typeof k === 'string' && (key === 'regexes' ? typeof v === 'string' : isStringList(v));
    if (!valid) return this.report(loc, path, `needs ${fields[0]} (a string) and ${fields[1]} (${key === 'regexes' ? 'a string' : 'a list of strings'})`);
    if (key === 'lookups') this.data.lookups.push({ name: k, elements: v as string[] });
    else if (key === 'synonyms') this.data.synonyms.push({ value: k, synonyms: v as string[] });
    else this.data.regexes.push({ name: k, pattern: v as string });
    this.locations[key].push(where);
  }

  /** Merges repeats, runs the shared rules and throws when anything is wrong. */
  finish(): ParsedTrainingData {
    const duplicatesMerged = mergeDuplicateExamples(this.data.examples, this.locations.examples, this.problems);
    validateTrainingData(this.data, this.problems, this.locations);
    this.problems.throwIfAny();
    return { data: this.data, stats: { duplicatesMerged, textsNormalized: this.normalized } };
  }
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

const JSON_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Offset of the first syntax error in `s`, or -1. Needed because JSON.parse names a
 * position for only some errors on Node 20 ("Unexpected token 'o', ... is not valid JSON").
 */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(String(i));
  };
  const ws = (): void => {
    while (i < s.length && ' \t\n\r'.includes(s[i])) i++;
  };
  const str = (): void => {
    for (i++; i < s.length; i++) {
      if (s[i] === '"') return void i++;
      if (s[i] === '\\') i++;
      else if (s[i] < ' ') fail();
    }
    fail();
  };
  const list = (close: string, item: () => void): void => {
    i++;
    ws();
    if (s[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (s[i] === close) return void i++;
      if (s[i] !== ',') fail();
      i++;
    }
  };
  const value = (): void => {
    ws();
    if (s[i] === '{')
      list('}', () => {
        ws();
        if (s[i] !== '"') fail();
        str();
        ws();
        if (s[i] !== ':') fail();
        i++;
        value();
      });
    else if (s[i] === '[') list(']', value);
    else if (s[i] === '"') str();
    else {
      JSON_LITERAL.lastIndex = i;
      if (!JSON_LITERAL.test(s)) fail();
      i = JSON_LITERAL.lastIndex;
    }
  };
  try {
    value();
    ws();
    if (i < s.length) fail();
    return -1;
  } catch (err) {
    // A RangeError here is a nesting too deep to scan: no position then.
    return err instanceof SyntaxError ? Number(err.message) : -1;
  }
}

function jsonSyntaxProblem(source: string, err: Error): TrainingDataProblem {
  const p: TrainingDataProblem = { message: `invalid JSON: ${err.message.slice(0, 300)}` };
  const offset = jsonErrorOffset(source);
  if (offset >= 0) p.line = source.slice(0, offset).split('\n').length;
  return p;
}

/**
 * Reads JSON training data (text, or an already-parsed value), with what was cleaned up on
 * the way; throws TrainingDataFormatError listing every problem found.
 */
export function readJsonTrainingData(input: string | unknown, options: JsonParseOptions = {}): ParsedTrainingData {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input.replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new TrainingDataFormatError([jsonSyntaxProblem(input, err as Error)]);
    }
  }
  const problems = new ProblemList();
  const reader = new JsonReader(problems, options.lang);
  if (Array.isArray(doc)) {
    reader.readExamples(doc, '');
  } else if (isRecord(doc)) {
    for (const key of Object.keys(doc))
      if (!['examples', 'lookups', 'synonyms', 'regexes'].includes(key))
        problems.add({ field: key, message: `unknown field ${quote(key)} (expected examples, lookups, synonyms, regexes)` });
    reader.readExamples(doc.examples ?? [], 'examples');
    for (const key of ['lookups', 'synonyms', 'regexes'] as const) reader.readList(doc[key], key);
  } else {
    throw new TrainingDataFormatError([{ message: `expected a list of examples or an object with "examples", not ${typeName(doc)}` }]);
  }
  return reader.finish();
}

/** Parses JSON training data; throws TrainingDataFormatError listing every problem found. */
export function parseJsonTrainingData(input: string | unknown, options: JsonParseOptions = {}): NluTrainingData {
  return readJsonTrainingData(input, options).data;
}

/** One example in the exported JSON shape (no empty entity list, no absent fields). */
export function toJsonExample(ex: TrainingExample): JsonExample {
  const out: JsonExample = { text: ex.text, intent: ex.intent };
  if (ex.entities.length > 0)
    out.entities = ex.entities.map((e) => {
      const je: JsonEntity = { entity: e.entity, start: e.start, end: e.end };
      if (e.value !== undefined) je.value = e.value;
      if (e.role !== undefined) je.role = e.role;
      return je;
    });
  if (ex.lang !== undefined && ex.lang !== null) out.lang = ex.lang;
  return out;
}

/** The object form, ready for JSON.stringify; throws TrainingDataFormatError when the data is invalid. */
export function toJsonTrainingData(data: NluTrainingData): JsonTrainingDocument {
  assertValidTrainingData(data);
  return {
    examples: data.examples.map(toJsonExample),
    lookups: data.lookups.map((l) => ({ name: l.name, elements: [...l.elements] })),
    synonyms: data.synonyms.map((s) => ({ value: s.value, synonyms: [...s.synonyms] })),
    regexes: data.regexes.map((r) => ({ name: r.name, pattern: r.pattern })),
  };
}
