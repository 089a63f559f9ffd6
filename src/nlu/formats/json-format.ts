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
import {
  DataLocations,
  ItemLocation,
  LANGS,
  ProblemList,
  TRAINING_DATA_LIMITS,
  TrainingDataFormatError,
  TrainingDataProblem,
  assertValidTrainingData,
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

class JsonReader {
  readonly data: NluTrainingData = { examples: [], lookups: [], synonyms: [], regexes: [] };
  readonly locations: Required<DataLocations> = { examples: [], lookups: [], synonyms: [], regexes: [] };

  constructor(
    readonly problems: ProblemList,
    private readonly prefix: string,
    private readonly defaultLang: Lang | undefined,
  ) {}

  private report(entry: number | undefined, field: string, message: string): void {
    const p: TrainingDataProblem = { field, message };
    if (entry !== undefined) p.entry = entry;
    this.problems.add(p);
  }

  private unknownFields(obj: Rec, allowed: string[], entry: number | undefined, path: string): void {
    for (const key of Object.keys(obj))
      if (!allowed.includes(key)) this.report(entry, `${path}.${key}`, `unknown field "${key}" (expected ${allowed.join(', ')})`);
  }

  readExamples(list: unknown): void {
    if (!Array.isArray(list)) {
      this.report(undefined, this.prefix || 'examples', `examples must be a list, not ${typeName(list)}`);
      return;
    }
    if (list.length > TRAINING_DATA_LIMITS.maxExamples) {
      this.report(undefined, this.prefix || '(root)', `${list.length} examples; the limit per import is ${TRAINING_DATA_LIMITS.maxExamples}`);
      return;
    }
    list.forEach((raw, i) => {
      if (!this.problems.full) this.readExample(raw, i);
    });
  }

  private readExample(raw: unknown, i: number): void {
    const path = `${this.prefix}[${i}]`;
    if (!isRecord(raw)) return this.report(i, path, `an example must be an object, not ${typeName(raw)}`);
    this.unknownFields(raw, ['text', 'intent', 'entities', 'lang'], i, path);
    let ok = true;
    for (const key of ['text', 'intent'] as const) {
      if (typeof raw[key] !== 'string') {
        ok = false;
        this.report(i, `${path}.${key}`, raw[key] === undefined ? `${key} is missing` : `${key} must be a string, not ${typeName(raw[key])}`);
      }
    }
    const lang = raw.lang ?? this.defaultLang;
    if (lang !== undefined && !LANGS.includes(lang as Lang)) {
      ok = false;
      this.report(i, `${path}.lang`, `lang must be one of ${LANGS.join(', ')}`);
    }
    const entities: EntityAnnotation[] = [];
    if (raw.entities !== undefined && !Array.isArray(raw.entities)) {
      ok = false;
      this.report(i, `${path}.entities`, `entities must be a list, not ${typeName(raw.entities)}`);
    } else if (Array.isArray(raw.entities) && typeof raw.text === 'string') {
      raw.entities.forEach((e, k) => {
        const got = this.readEntity(e, raw.text as string, i, `${path}.entities[${k}]`);
        if (got) entities.push(got);
        else ok = false;
      });
    }
    if (!ok) return;
    const ex: TrainingExample = { text: raw.text as string, intent: raw.intent as string, entities };
    if (lang !== undefined) ex.lang = lang as Lang;
    this.data.examples.push(ex);
    this.locations.examples.push({ entry: i, field: `${path}` });
  }

  private readEntity(raw: unknown, text: string, i: number, path: string): EntityAnnotation | null {
    if (!isRecord(raw)) {
      this.report(i, path, `an entity must be an object, not ${typeName(raw)}`);
      return null;
    }
    this.unknownFields(raw, ['entity', 'start', 'end', 'value', 'role'], i, path);
    let ok = true;
    const need = (key: string, cond: boolean, what: string): void => {
      if (!cond) {
        ok = false;
        this.report(i, `${path}.${key}`, raw[key] === undefined ? `${key} is missing` : `${key} must be ${what}, not ${typeName(raw[key])}`);
      }
    };
    need('entity', typeof raw.entity === 'string', 'a string');
    if (raw.value !== undefined) need('value', typeof raw.value === 'string', 'a string');
    if (raw.role !== undefined) need('role', typeof raw.role === 'string', 'a string');
    const hasStart = raw.start !== undefined;
    const hasEnd = raw.end !== undefined;
    if (hasStart !== hasEnd) {
      this.report(i, `${path}.${hasStart ? 'end' : 'start'}`, 'start and end must be given together');
      return null;
    }
    if (hasStart) {
      need('start', Number.isInteger(raw.start), 'an integer');
      need('end', Number.isInteger(raw.end), 'an integer');
    } else if (raw.value === undefined) {
      this.report(i, `${path}.value`, 'an entity needs start and end, or a value that occurs in the text');
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
      const at = value === '' ? -1 : text.indexOf(value);
      if (at < 0) {
        this.report(i, `${path}.value`, `value ${JSON.stringify(value)} does not occur in the text, so start/end cannot be computed`);
        return null;
      }
      e.start = at;
      e.end = at + value.length;
    }
    if (raw.role !== undefined) e.role = raw.role as string;
    return e;
  }

  readList<T>(list: unknown, key: 'lookups' | 'synonyms' | 'regexes', fields: [string, string], read: (obj: Rec) => T | null): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) return this.report(undefined, key, `${key} must be a list, not ${typeName(list)}`);
    list.forEach((raw, i) => {
      const path = `${key}[${i}]`;
      if (!isRecord(raw)) return this.report(undefined, path, `must be an object, not ${typeName(raw)}`);
      this.unknownFields(raw, fields, undefined, path);
      const item = read(raw);
      if (item === null) return this.report(undefined, path, `needs ${fields[0]} (a string) and ${fields[1]}`);
      (this.data[key] as T[]).push(item);
      (this.locations[key] as ItemLocation[]).push({ field: path });
    });
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
  const p: TrainingDataProblem = { message: `invalid JSON: ${err.message}` };
  const offset = jsonErrorOffset(source);
  if (offset >= 0) p.line = source.slice(0, offset).split('\n').length;
  return p;
}

/**
 * Parses JSON training data (text, or an already-parsed value); throws
 * TrainingDataFormatError listing every problem found.
 */
export function parseJsonTrainingData(input: string | unknown, options: JsonParseOptions = {}): NluTrainingData {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new TrainingDataFormatError([jsonSyntaxProblem(input, err as Error)]);
    }
  }
  const problems = new ProblemList();
  let reader: JsonReader;
  if (Array.isArray(doc)) {
    reader = new JsonReader(problems, '', options.lang);
    reader.readExamples(doc);
  } else if (isRecord(doc)) {
    reader = new JsonReader(problems, 'examples', options.lang);
    for (const key of Object.keys(doc))
      if (!['examples', 'lookups', 'synonyms', 'regexes'].includes(key))
        problems.add({ field: key, message: `unknown field "${key}" (expected examples, lookups, synonyms, regexes)` });
    reader.readExamples(doc.examples ?? []);
    reader.readList(doc.lookups, 'lookups', ['name', 'elements'], (o) =>
      typeof o.name === 'string' && isStringList(o.elements) ? { name: o.name, elements: o.elements } : null,
    );
    reader.readList(doc.synonyms, 'synonyms', ['value', 'synonyms'], (o) =>
      typeof o.value === 'string' && isStringList(o.synonyms) ? { value: o.value, synonyms: o.synonyms } : null,
    );
    reader.readList(doc.regexes, 'regexes', ['name', 'pattern'], (o) =>
      typeof o.name === 'string' && typeof o.pattern === 'string' ? { name: o.name, pattern: o.pattern } : null,
    );
  } else {
    throw new TrainingDataFormatError([{ message: `expected a list of examples or an object with "examples", not ${typeName(doc)}` }]);
  }
  validateTrainingData(reader.data, problems, reader.locations);
  problems.throwIfAny();
  return reader.data;
}

/** The object form, ready for JSON.stringify; throws TrainingDataFormatError when the data is invalid. */
export function toJsonTrainingData(data: NluTrainingData): JsonTrainingDocument {
  assertValidTrainingData(data);
  const examples = data.examples.map((ex) => {
    const out: JsonExample = { text: ex.text, intent: ex.intent };
    if (ex.entities.length > 0)
      out.entities = ex.entities.map((e) => {
        const je: JsonEntity = { entity: e.entity, start: e.start, end: e.end };
        if (e.value !== undefined) je.value = e.value;
        if (e.role !== undefined) je.role = e.role;
        return je;
      });
    if (ex.lang !== undefined) out.lang = ex.lang;
    return out;
  });
  return {
    examples,
    lookups: data.lookups.map((l) => ({ name: l.name, elements: [...l.elements] })),
    synonyms: data.synonyms.map((s) => ({ value: s.value, synonyms: [...s.synonyms] })),
    regexes: data.regexes.map((r) => ({ name: r.name, pattern: r.pattern })),
  };
}
