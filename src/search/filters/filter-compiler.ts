/**
 * Metadata filters -> parameterized SQL over a jsonb column.
 *
 *   { "lang": "zh", "tag": { "in": ["faq", "news"] }, "price": { "gte": 10, "lt": 100 },
 *     "author.name": { "exists": true } }
 *
 * Conditions are ANDed. A bare scalar means equality (jsonb containment, so the GIN index
 * on metadata serves it; on an array field it matches arrays containing the value). Keys
 * are validated (letters, digits, _ and -, dotted for nested objects) and, like values,
 * only ever travel as bind parameters: nothing of the filter is spliced into the SQL text.
 * Plain TypeScript.
 */

export type Scalar = string | number | boolean;

export class FilterError extends Error {}

export interface CompiledFilter {
  /** `TRUE` when there is no condition */
  sql: string;
  params: unknown[];
}

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}(\.[A-Za-z0-9_][A-Za-z0-9_-]{0,63}){0,7}$/;
const OPERATORS = ['eq', 'in', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
type Operator = (typeof OPERATORS)[number];
const RANGE_SQL: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
export const MAX_CONDITIONS = 32;
export const MAX_IN_VALUES = 1000;

/**
 * Compiles `filter` against `column` (an SQL expression chosen by the caller, never user
 * input); placeholders are numbered from `firstParam`.
 */
export function compileFilter(filter: Record<string, unknown> | undefined, column: string, firstParam: number): CompiledFilter {
  const params: unknown[] = [];
  const next = (v: unknown) => {
    params.push(v);
    return `$${firstParam + params.length - 1}`;
  };
  const parts: string[] = [];
  if (filter === undefined || filter === null) return { sql: 'TRUE', params };
  if (typeof filter !== 'object' || Array.isArray(filter)) throw new FilterError('filter must be an object of metadata keys, e.g. {"lang": "zh", "price": {"lt": 100}}');
  const entries = Object.entries(filter);
  let conditions = 0;
  for (const [key, raw] of entries) {
    if (!KEY.test(key)) throw new FilterError(`filter key "${key.slice(0, 80)}" is not valid: use letters, digits, _ and -, with dots for nested fields (a.b)`);
    const path = key.split('.');
    const ops: [Operator, unknown][] = isOperatorObject(raw) ? (Object.entries(raw as object) as [Operator, unknown][]) : [['eq', raw]];
    if (ops.length === 0) throw new FilterError(`filter.${key} has no operator; use one of ${OPERATORS.join(', ')}`);
    for (const [op, value] of ops) {
      if (++conditions > MAX_CONDITIONS) throw new FilterError(`filter has more than ${MAX_CONDITIONS} conditions`);
      if (!OPERATORS.includes(op)) throw new FilterError(`filter.${key}: unknown operator "${String(op).slice(0, 40)}"; use one of ${OPERATORS.join(', ')}`);
      const field = () => `(${column} #> ${next(`{${path.join(',')}}`)}::text[])`;
      if (op === 'eq') {
        scalar(key, op, value);
        parts.push(`(${column} @> ${next(JSON.stringify(nest(path, value)))}::jsonb OR ${column} @> ${next(JSON.stringify(nest(path, [value])))}::jsonb)`);
      } else if (op === 'in') {
        if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES) throw new FilterError(`filter.${key}.in must be an array of 1 to ${MAX_IN_VALUES} values`);
        value.forEach((v) => scalar(key, op, v));
        parts.push(`${field()} IN (SELECT jsonb_array_elements(${next(JSON.stringify(value))}::jsonb))`);
      } else if (op === 'exists') {
        if (typeof value !== 'boolean') throw new FilterError(`filter.${key}.exists must be true or false`);
        parts.push(`${field()} IS ${value ? 'NOT ' : ''}NULL`);
      } else {
        if (!(typeof value === 'number' && Number.isFinite(value)) && typeof value !== 'string') throw new FilterError(`filter.${key}.${op} must be a number or a string (ISO dates compare as strings)`);
        // jsonb orders numbers numerically and strings by collation; the type check keeps 10 from comparing with "9"
        const f = field();
        parts.push(`(${f} ${RANGE_SQL[op]} ${next(JSON.stringify(value))}::jsonb AND jsonb_typeof(${f}) = ${next(typeof value === 'number' ? 'number' : 'string')})`);
      }
    }
  }
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

function isOperatorObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(key: string, op: string, v: unknown): asserts v is Scalar {
  const ok = (typeof v === 'string' && v.length <= 1000) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
  if (!ok) throw new FilterError(`filter.${key}${op === 'eq' ? '' : `.${op}`}: values must be strings (up to 1000 characters), finite numbers or booleans; use {"exists": false} for a missing field`);
}

function nest(path: string[], value: unknown): unknown {
  return path.reduceRight((acc, k) => ({ [k]: acc }), value);
}
