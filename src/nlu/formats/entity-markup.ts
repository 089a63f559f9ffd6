/**
 * Rasa's inline entity markup inside one example line:
 *   [Shanghai](city)                                  entity only
 *   [沪](city:Shanghai)                                legacy synonym form
 *   [沪]{"entity": "city", "value": "Shanghai", "role": "to"}
 *
 * Stricter than Rasa on purpose: Rasa silently keeps a stray `[` or `]` as text, which
 * hides typos such as `[Shanghai(city)`; here every unescaped bracket must belong to
 * markup. A literal bracket or backslash is written `\[`, `\]`, `\\` (any other
 * backslash is kept as is, so `C:\temp` needs no escaping).
 */
import type { EntityAnnotation } from '../core/types';

export interface MarkupResult {
  text: string;
  entities: EntityAnnotation[];
  /** what is wrong, each naming a 1-based column of the markup string */
  errors: string[];
}

const ESCAPABLE = new Set(['[', ']', '\\']);
const ENTITY_KEYS = new Set(['entity', 'value', 'role']);

/** Index just past the JSON object starting at `open` (a `{`), or -1 when it never closes. */
function scanJsonObject(s: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

interface Annotation {
  entity: string;
  value?: string;
  role?: string;
}

function parseJsonAnnotation(json: string, col: number, errors: string[]): Annotation | null {
  let obj: unknown;
  try {
    obj = JSON.parse(json);
  } catch (err) {
    errors.push(`column ${col}: invalid JSON in entity markup ${json}: ${(err as Error).message}`);
    return null;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    errors.push(`column ${col}: entity markup {...} must be a JSON object`);
    return null;
  }
  const rec = obj as Record<string, unknown>;
  let ok = true;
  for (const key of Object.keys(rec)) {
    if (ENTITY_KEYS.has(key)) continue;
    ok = false;
    errors.push(
      key === 'group'
        ? `column ${col}: entity "group" is not supported (use "role")`
        : `column ${col}: unknown key "${key}" in entity markup (expected entity, value, role)`,
    );
  }
  for (const key of ['value', 'role'] as const) {
    if (rec[key] !== undefined && typeof rec[key] !== 'string') {
      ok = false;
      errors.push(`column ${col}: entity "${key}" must be a string`);
    }
  }
  if (typeof rec.entity !== 'string' || rec.entity.trim() === '') {
    errors.push(`column ${col}: entity with no name (the "entity" key is missing or empty)`);
    return null;
  }
  if (!ok) return null;
  const out: Annotation = { entity: rec.entity };
  if (rec.value !== undefined) out.value = rec.value as string;
  if (rec.role !== undefined) out.role = rec.role as string;
  return out;
}

function parseParenAnnotation(inner: string, col: number, errors: string[]): Annotation | null {
  const colon = inner.indexOf(':');
  const entity = (colon < 0 ? inner : inner.slice(0, colon)).trim();
  if (entity === '') {
    errors.push(`column ${col}: entity with no name in (${inner})`);
    return null;
  }
  if (colon < 0) return { entity };
  const value = inner.slice(colon + 1).trim();
  if (value === '') {
    errors.push(`column ${col}: empty synonym value after ":" in (${inner})`);
    return null;
  }
  return { entity, value };
}

/**
 * Parses one example. `columnBase` is the 1-based column of `s[0]` in its file line, so
 * errors point at the real column.
 */
export function parseEntityMarkup(s: string, columnBase = 1): MarkupResult {
  const errors: string[] = [];
  const entities: EntityAnnotation[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && ESCAPABLE.has(s[i + 1])) {
      text += s[i + 1];
      i += 2;
    } else if (c === ']') {
      errors.push(`column ${columnBase + i}: unbalanced "]" with no "[" before it (write \\] for a literal bracket)`);
      i++;
    } else if (c !== '[') {
      text += c;
      i++;
    } else {
      i = parseEntity(s, i, columnBase, text, entities, errors, (surface) => (text += surface));
    }
  }
  return { text, entities, errors };
}

/** Parses `[surface](...)` or `[surface]{...}` at `open`; returns the index after it. */
function parseEntity(
  s: string,
  open: number,
  columnBase: number,
  textSoFar: string,
  entities: EntityAnnotation[],
  errors: string[],
  emit: (surface: string) => void,
): number {
  const col = columnBase + open;
  let surface = '';
  let j = open + 1;
  for (; j < s.length && s[j] !== ']'; j++) {
    if (s[j] === '\\' && ESCAPABLE.has(s[j + 1])) surface += s[++j];
    else if (s[j] === '[') {
      errors.push(`column ${columnBase + j}: "[" inside entity markup opened at column ${col} (nested entities are not supported)`);
      emit(surface);
      return j;
    } else surface += s[j];
  }
  if (j >= s.length) {
    errors.push(`column ${col}: unbalanced "[" with no closing "]" (write \\[ for a literal bracket)`);
    emit(surface);
    return s.length;
  }
  if (surface === '') errors.push(`column ${col}: empty entity text "[]"`);
  const after = j + 1;
  let end: number;
  let ann: Annotation | null = null;
  if (s[after] === '(') {
    const close = s.indexOf(')', after);
    if (close < 0) {
      errors.push(`column ${columnBase + after}: unbalanced "(" with no closing ")"`);
      emit(surface);
      return s.length;
    }
    ann = parseParenAnnotation(s.slice(after + 1, close), columnBase + after, errors);
    end = close + 1;
  } else if (s[after] === '{') {
    const close = scanJsonObject(s, after);
    if (close < 0) {
      errors.push(`column ${columnBase + after}: unbalanced "{" with no closing "}"`);
      emit(surface);
      return s.length;
    }
    ann = parseJsonAnnotation(s.slice(after, close), columnBase + after, errors);
    end = close;
  } else {
    errors.push(`column ${col}: entity markup [${surface}] must be followed by (entity) or {"entity": ...}`);
    emit(surface);
    return after;
  }
  if (ann && surface !== '') {
    const e: EntityAnnotation = { entity: ann.entity, start: textSoFar.length, end: textSoFar.length + surface.length };
    if (ann.value !== undefined) e.value = ann.value;
    if (ann.role !== undefined) e.role = ann.role;
    entities.push(e);
  }
  emit(surface);
  return end;
}

function escapeText(s: string): string {
  return s.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

function renderAnnotation(e: EntityAnnotation): string {
  if (e.value === undefined && e.role === undefined) return `(${e.entity})`;
  // The JSON form is unambiguous for any value (a legacy `(city:v)` value cannot hold ")").
  const parts = [`"entity": ${JSON.stringify(e.entity)}`];
  if (e.value !== undefined) parts.push(`"value": ${JSON.stringify(e.value)}`);
  if (e.role !== undefined) parts.push(`"role": ${JSON.stringify(e.role)}`);
  return `{${parts.join(', ')}}`;
}

/** Writes an example back as markup; entities must be valid and non-overlapping. */
export function renderEntityMarkup(text: string, entities: readonly EntityAnnotation[]): string {
  const sorted = [...entities].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    out += escapeText(text.slice(pos, e.start));
    out += `[${escapeText(text.slice(e.start, e.end))}]${renderAnnotation(e)}`;
    pos = e.end;
  }
  return out + escapeText(text.slice(pos));
}
