/**
 * JSON Schema -> character grammar (grammar.ts) for constrained decoding.
 *
 * Supported: type (one or a list), properties, required, additionalProperties (false, true,
 * or a schema when there are no properties), items, minItems, maxItems, enum, const,
 * anyOf, minLength, maxLength, pattern (the subset in regex.ts), local $ref into $defs /
 * definitions (recursion included), and the annotations title, description, default,
 * examples, $schema, $id, $comment, deprecated, readOnly, writeOnly. Any other keyword is
 * refused with a SchemaCompileError naming it: silently ignoring a constraint would let
 * the output violate the schema.
 *
 * What is generated: compact JSON (one optional space after `:` and `,`, and before the
 * document), properties in the order the schema declares them, optional ones possibly
 * left out, no properties beyond those declared when there are some. Numbers have at most
 * NUMBER_LIMITS digits. Every document the grammar accepts validates against the schema.
 */
import { GNode, GrammarBuilder } from './grammar';
import { compilePattern, PatternError } from './regex';

export class SchemaCompileError extends Error {
  constructor(
    readonly keyword: string,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', '$schema', '$id', '$comment', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions']);
const KNOWN = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'enum', 'const', 'anyOf', 'minLength', 'maxLength', 'pattern', '$ref', ...ANNOTATIONS]);
const TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];

export interface CompiledSchema {
  root: GNode;
}

type Schema = Record<string, unknown>;

/** Compiles `schema` (an object, or `true`) to a grammar node, using `b` for its nodes. */
export function compileJsonSchema(schema: unknown, b = new GrammarBuilder()): GNode {
  return new Compiler(schema, b).value(schema, '#');
}

/** Any JSON object (response_format json_object). */
export function anyObjectGrammar(b = new GrammarBuilder()): GNode {
  const c = new Compiler({}, b);
  return c.freeObject(c.anyValue());
}

class Compiler {
  private readonly refs = new Map<string, GNode>();
  private any?: GNode;
  readonly ws: GNode;
  readonly comma: GNode;

  constructor(
    private readonly rootSchema: unknown,
    private readonly b: GrammarBuilder,
  ) {
    this.ws = b.alt([b.lit(' '), b.seq([])]);
    this.comma = b.seq([b.lit(','), this.ws]);
  }

  value(schema: unknown, path: string): GNode {
    if (schema === true) return this.anyValue();
    if (schema === false) throw new SchemaCompileError('false', path, `${path}: the schema false accepts nothing`);
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new SchemaCompileError('schema', path, `${path} must be a JSON Schema object`);
    }
    const s = schema as Schema;
    for (const key of Object.keys(s)) {
      if (!KNOWN.has(key)) throw new SchemaCompileError(key, path, `${path}: the JSON Schema keyword "${key}" is not supported for structured output`);
    }
    if (s.$ref !== undefined) {
      if (Object.keys(s).some((k) => k !== '$ref' && !ANNOTATIONS.has(k))) {
        throw new SchemaCompileError('$ref', path, `${path}: $ref next to other constraints is not supported`);
      }
      return this.ref(s.$ref, path);
    }
    const types = this.types(s, path);
    if (s.const !== undefined) return this.literals([s.const], types, path, 'const');
    if (Array.isArray(s.enum)) return this.literals(s.enum, types, path, 'enum');
    if (s.enum !== undefined) throw new SchemaCompileError('enum', path, `${path}.enum must be an array`);
    if (s.anyOf !== undefined) {
      if (!Array.isArray(s.anyOf) || s.anyOf.length === 0) throw new SchemaCompileError('anyOf', path, `${path}.anyOf must be a non-empty array`);
      if (types) throw new SchemaCompileError('anyOf', path, `${path}: anyOf next to type is not supported; put the type inside each branch`);
      return this.b.alt(s.anyOf.map((sub, i) => this.value(sub, `${path}.anyOf[${i}]`)));
    }
    const options = (types ?? TYPES).map((t) => this.typed(t, s, path, types === undefined));
    return options.length === 1 ? options[0] : this.b.alt(options);
  }

  anyValue(): GNode {
    if (this.any) return this.any;
    const alt = this.b.alt([]);
    this.any = alt;
    const b = this.b;
    alt.options.push(
      this.freeObject(alt),
      b.seq([b.lit('['), b.rep(alt, this.comma, 0, Infinity), b.lit(']')]),
      b.seq([b.lit('"'), b.str()]),
      b.num(false),
      b.lit('true'),
      b.lit('false'),
      b.lit('null'),
    );
    return alt;
  }

  freeObject(valueNode: GNode): GNode {
    const b = this.b;
    const member = b.seq([b.lit('"'), b.str(), b.lit(':'), this.ws, valueNode]);
    return b.seq([b.lit('{'), b.rep(member, this.comma, 0, Infinity), b.lit('}')]);
  }

  private types(s: Schema, path: string): string[] | undefined {
    if (s.type === undefined) return undefined;
    const list = Array.isArray(s.type) ? s.type : [s.type];
    if (list.length === 0 || !list.every((t) => typeof t === 'string' && TYPES.includes(t))) {
      throw new SchemaCompileError('type', path, `${path}.type must be one of ${TYPES.join(', ')} (or a list of them)`);
    }
    return [...new Set(list as string[])];
  }

  private ref(ref: unknown, path: string): GNode {
    if (typeof ref !== 'string' || !/^#\/(\$defs|definitions)\/[^/]+$|^#$/.test(ref)) {
      throw new SchemaCompileError('$ref', path, `${path}.$ref: only local references (#, #/$defs/name, #/definitions/name) are supported`);
    }
    const known = this.refs.get(ref);
    if (known) return known;
    // A placeholder first, so recursive schemas refer back to it.
    const slot = this.b.alt([]);
    this.refs.set(ref, slot);
    let target: unknown = this.rootSchema;
    if (ref !== '#') {
      const [, group, name] = ref.split('/');
      target = ((this.rootSchema as Schema)[group] as Schema | undefined)?.[decodeURIComponent(name)];
      if (target === undefined) throw new SchemaCompileError('$ref', path, `${path}.$ref: ${ref} is not defined`);
    }
    slot.options.push(this.value(target, ref));
    return slot;
  }

  private literals(values: unknown[], types: string[] | undefined, path: string, keyword: string): GNode {
    const kept = values.filter((v) => types === undefined || types.some((t) => hasType(v, t)));
    if (kept.length === 0) throw new SchemaCompileError(keyword, path, `${path}: no ${keyword} value has the declared type`);
    const b = this.b;
    const lits = [...new Set(kept.map((v) => JSON.stringify(v)))].map((text) => b.lit(text));
    return lits.length === 1 ? lits[0] : b.alt(lits);
  }

  /** One type's grammar; `untyped` when the schema gave no type (keywords of other types do not apply). */
  private typed(type: string, s: Schema, path: string, untyped: boolean): GNode {
    const b = this.b;
    switch (type) {
      case 'null':
        return b.lit('null');
      case 'boolean':
        return b.alt([b.lit('true'), b.lit('false')]);
      case 'number':
      case 'integer':
        return b.num(type === 'integer');
      case 'string':
        return b.seq([b.lit('"'), this.string(s, path)]);
      case 'array':
        return this.array(s, path);
      default:
        if (untyped && s.properties === undefined && s.required === undefined && s.additionalProperties === undefined) return this.freeObject(this.anyValue());
        return this.object(s, path);
    }
  }

  private string(s: Schema, path: string): GNode {
    const min = count(s.minLength, 'minLength', path) ?? 0;
    const max = count(s.maxLength, 'maxLength', path) ?? Infinity;
    if (min > max) throw new SchemaCompileError('minLength', path, `${path}: minLength ${min} exceeds maxLength ${max}`);
    let pattern;
    if (s.pattern !== undefined) {
      if (typeof s.pattern !== 'string') throw new SchemaCompileError('pattern', path, `${path}.pattern must be a string`);
      try {
        pattern = compilePattern(s.pattern);
      } catch (e) {
        if (e instanceof PatternError) throw new SchemaCompileError('pattern', path, `${path}.pattern ${JSON.stringify(s.pattern)}: ${e.message}`);
        throw e;
      }
    }
    return this.b.str(min, max, pattern);
  }

  private array(s: Schema, path: string): GNode {
    const b = this.b;
    const min = count(s.minItems, 'minItems', path) ?? 0;
    const max = count(s.maxItems, 'maxItems', path) ?? Infinity;
    if (min > max) throw new SchemaCompileError('minItems', path, `${path}: minItems ${min} exceeds maxItems ${max}`);
    if (Array.isArray(s.items)) throw new SchemaCompileError('items', path, `${path}.items as an array (tuples) is not supported`);
    const item = s.items === undefined ? this.anyValue() : this.value(s.items, `${path}.items`);
    return b.seq([b.lit('['), b.rep(item, this.comma, min, max), b.lit(']')]);
  }

  private object(s: Schema, path: string): GNode {
    const b = this.b;
    const props = (s.properties ?? {}) as Schema;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) throw new SchemaCompileError('properties', path, `${path}.properties must be an object`);
    const required = s.required ?? [];
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
      throw new SchemaCompileError('required', path, `${path}.required must be an array of property names`);
    }
    const extra = s.additionalProperties;
    const names = Object.keys(props);
    if (names.length === 0 && required.length === 0) {
      if (extra === false) return b.lit('{}');
      return this.freeObject(extra === undefined || extra === true ? this.anyValue() : this.value(extra, `${path}.additionalProperties`));
    }
    for (const r of required as string[]) {
      if (!(r in props) && extra === false) throw new SchemaCompileError('required', path, `${path}: required property "${r}" is not in properties and additionalProperties is false`);
    }
    // Required names without a declared schema take any value, after the declared ones.
    const all = [...names, ...(required as string[]).filter((r) => !(r in props))];
    const members = all.map((name) => ({
      key: b.seq([b.lit(`${JSON.stringify(name)}:`), this.ws]),
      value: name in props ? this.value(props[name], `${path}.properties.${name}`) : this.anyValue(),
      required: (required as string[]).includes(name),
    }));
    return b.seq([b.lit('{'), b.obj(members, this.comma), b.lit('}')]);
  }
}

function count(v: unknown, keyword: string, path: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 0) throw new SchemaCompileError(keyword, path, `${path}.${keyword} must be an integer >= 0`);
  return v as number;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'array':
      return Array.isArray(v);
    default:
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}
