/**
 * What a request asks the output to be: OpenAI's `response_format` (json_object,
 * json_schema) and forced tool calls, as grammars, with a cache of compiled grammars per
 * vocabulary (compiling and the first masks of a schema are the expensive part).
 */
import { GenerationOptionsError } from '../core/errors';
import { GNode, GrammarBuilder } from './grammar';
import { anyObjectGrammar, compileJsonSchema, SchemaCompileError } from './json-schema';
import { CompiledGrammar, TokenTrie } from './constraint';

/** A grammar request: a JSON document (any object or a schema), or tool calls in a family's format. */
export type OutputGrammarSpec =
  | { kind: 'json_object' }
  | { kind: 'json_schema'; name: string; schema: unknown }
  | { kind: 'tool_calls'; format: 'hermes'; functions: { name: string; parameters: unknown }[]; parallel: boolean };

/** Validates OpenAI's response_format; undefined for none or {type: "text"}. */
export function parseResponseFormat(rf: unknown): OutputGrammarSpec | undefined {
  if (rf === undefined || rf === null) return undefined;
  const bad = (msg: string): never => {
    throw new GenerationOptionsError('response_format', msg);
  };
  if (typeof rf !== 'object' || Array.isArray(rf)) bad('response_format must be an object such as {"type": "json_object"}');
  const r = rf as Record<string, unknown>;
  switch (r.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { kind: 'json_object' };
    case 'json_schema': {
      const js = r.json_schema as Record<string, unknown> | undefined;
      if (typeof js !== 'object' || js === null || Array.isArray(js)) return bad('response_format.json_schema must be an object {name, schema, strict}');
      if (typeof js.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(js.name)) bad('response_format.json_schema.name must be 1-64 letters, digits, _ or -');
      if (js.strict !== undefined && js.strict !== null && typeof js.strict !== 'boolean') bad('response_format.json_schema.strict must be true or false');
      const schema = js.schema ?? {};
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) bad('response_format.json_schema.schema must be a JSON Schema object');
      return { kind: 'json_schema', name: js.name as string, schema };
    }
    default:
      return bad(`response_format.type must be "text", "json_object" or "json_schema", got ${JSON.stringify(r.type ?? null)}`);
  }
}

/** Hermes / Qwen2.5 tool-call markup: `<tool_call>\n{"name": ..., "arguments": ...}\n</tool_call>`. */
export const HERMES = { open: '<tool_call>', close: '</tool_call>' };

/** The grammar of a spec; schema errors become 400s naming the keyword. `param` is the request field they came from. */
export function grammarOf(spec: OutputGrammarSpec, param: string): GNode {
  const b = new GrammarBuilder();
  const ws = b.alt([b.lit(' '), b.seq([])]);
  try {
    if (spec.kind === 'json_object') return b.seq([ws, anyObjectGrammar(b)]);
    if (spec.kind === 'json_schema') return b.seq([ws, compileJsonSchema(spec.schema, b)]);
    const calls = spec.functions.map((f, i) => {
      let args: GNode;
      try {
        args = compileJsonSchema(f.parameters ?? { type: 'object' }, b);
      } catch (e) {
        if (e instanceof SchemaCompileError) throw new GenerationOptionsError(`tools[${i}].function.parameters`, `tools[${i}].function.parameters: ${e.message}`);
        throw e;
      }
      return b.seq([b.lit(`${HERMES.open}\n{"name": ${JSON.stringify(f.name)}, "arguments": `), args, b.lit(`}\n${HERMES.close}`)]);
    });
    const call = calls.length === 1 ? calls[0] : b.alt(calls);
    return b.seq([ws, b.rep(call, b.lit('\n'), 1, spec.parallel ? 8 : 1)]);
  } catch (e) {
    if (e instanceof SchemaCompileError) {
      const where = spec.kind === 'json_schema' ? 'response_format.json_schema.schema' : param;
      throw new GenerationOptionsError(param, `${where}: ${e.message}`, 'unsupported_schema');
    }
    throw e;
  }
}

/** Compiled grammars per vocabulary, least recently used out first. */
export class GrammarCache {
  private readonly entries = new Map<string, CompiledGrammar>();

  constructor(private readonly capacity = 64) {}

  get(spec: OutputGrammarSpec, trie: TokenTrie, param: string): CompiledGrammar {
    const key = JSON.stringify(spec);
    let g = this.entries.get(key);
    if (g) {
      this.entries.delete(key);
    } else {
      g = new CompiledGrammar(grammarOf(spec, param), trie);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, g);
    return g;
  }

  get size(): number {
    return this.entries.size;
  }
}
