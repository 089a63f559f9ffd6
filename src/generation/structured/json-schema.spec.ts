import Ajv from 'ajv';
import { GrammarBuilder, matchesFully, advanceText, initialState } from './grammar';
import { anyObjectGrammar, compileJsonSchema, SchemaCompileError } from './json-schema';
import { compilePattern } from './regex';

const accepts = (schema: unknown, text: string) => matchesFully(compileJsonSchema(schema), text);
const prefixOk = (schema: unknown, text: string) => advanceText(initialState(compileJsonSchema(schema)), text) !== null;

describe('compileJsonSchema', () => {
  const person = {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 5 }, age: { type: 'integer' }, tags: { type: 'array', items: { enum: ['a', 'b'] }, minItems: 1, maxItems: 2 } },
    required: ['name', 'tags'],
    additionalProperties: false,
  };

  it('accepts documents of the schema and refuses others', () => {
    expect(accepts(person, '{"name":"Ann","tags":["a"]}')).toBe(true);
    expect(accepts(person, '{"name": "Ann", "age": -12, "tags": ["a", "b"]}')).toBe(true);
    expect(accepts(person, '{"name":"Ann","age":1}')).toBe(false); // tags required
    expect(accepts(person, '{"name":"Annabel","tags":["a"]}')).toBe(false); // maxLength 5
    expect(accepts(person, '{"name":"Ann","tags":[]}')).toBe(false); // minItems 1
    expect(accepts(person, '{"name":"Ann","tags":["a","b","a"]}')).toBe(false); // maxItems 2
    expect(accepts(person, '{"name":"Ann","tags":["c"]}')).toBe(false); // enum
    expect(accepts(person, '{"name":"Ann","age":1.5,"tags":["a"]}')).toBe(false); // integer
    expect(accepts(person, '{"tags":["a"],"name":"Ann"}')).toBe(false); // declared order
    expect(accepts(person, '{"name":"Ann","tags":["a"]} ')).toBe(false); // nothing after the document
    expect(prefixOk(person, '{"name":"An')).toBe(true);
    expect(prefixOk(person, '{"nom')).toBe(false);
  });

  it('handles strings with escapes, numbers, const, anyOf, nested and free objects', () => {
    expect(accepts({ type: 'string' }, '"a\\"b\\u00e9\\n"')).toBe(true);
    expect(accepts({ type: 'string' }, '"a\nb"')).toBe(false);
    expect(accepts({ type: 'string' }, '"\\x"')).toBe(false);
    for (const n of ['0', '-0', '12', '1.5', '-3.25e+10', '2E5']) expect(accepts({ type: 'number' }, n)).toBe(true);
    for (const n of ['01', '1.', '.5', '-', '1e', '+1']) expect(accepts({ type: 'number' }, n)).toBe(false);
    expect(accepts({ const: { a: [1, null] } }, '{"a":[1,null]}')).toBe(true);
    expect(accepts({ anyOf: [{ type: 'null' }, { type: 'boolean' }] }, 'false')).toBe(true);
    expect(accepts({ anyOf: [{ type: 'null' }, { type: 'boolean' }] }, '0')).toBe(false);
    expect(accepts({ type: ['string', 'null'] }, 'null')).toBe(true);
    expect(accepts({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'boolean' } }, required: ['b'] } }, required: ['a'] }, '{"a":{"b":true}}')).toBe(true);
    expect(accepts({}, '[1,{"x":"y"},[],"z"]')).toBe(true);
    expect(matchesFully(anyObjectGrammar(), '{"k": [1, {"x": false}], "j": "v"}')).toBe(true);
    expect(matchesFully(anyObjectGrammar(), '[1]')).toBe(false);
  });

  it('follows local $ref, recursion included', () => {
    const tree = { $defs: { node: { type: 'object', properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/$defs/node' }, maxItems: 2 } }, required: ['v'] } }, $ref: '#/$defs/node' };
    expect(accepts(tree, '{"v":1,"kids":[{"v":2},{"v":3,"kids":[{"v":4}]}]}')).toBe(true);
    expect(accepts(tree, '{"v":1,"kids":[{"w":2}]}')).toBe(false);
  });

  it('supports string patterns (a search unless anchored)', () => {
    const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
    expect(accepts(date, '"2026-12-01"')).toBe(true);
    expect(accepts(date, '"2026-1-01"')).toBe(false);
    expect(prefixOk(date, '"20a')).toBe(false);
    expect(accepts({ type: 'string', pattern: 'ab+' }, '"xxabbby"')).toBe(true);
    expect(accepts({ type: 'string', pattern: 'ab+' }, '"xxay"')).toBe(false);
    const code = { type: 'string', pattern: '^(?:[A-Z]{2}|[0-9]{3})(-[a-z_]+)?$' };
    for (const s of ['AB', '123-x_y']) expect(accepts(code, JSON.stringify(s))).toBe(true);
    for (const s of ['A', 'ab', '12-x', 'AB-']) expect(accepts(code, JSON.stringify(s))).toBe(false);
    const dfa = compilePattern('^[^a-c]*$');
    let st = dfa.step(dfa.start, 'x');
    expect(dfa.accepting(st)).toBe(true);
    st = dfa.step(st, 'b');
    expect(st).toBe(-1);
  });

  it('agrees with ajv on what it accepts', () => {
    const ajv = new Ajv();
    const schema = { type: 'object', properties: { s: { type: 'string', minLength: 2, pattern: '^[a-z]+$' }, n: { type: 'number' }, e: { enum: [1, 'x', null] } }, required: ['s'] };
    const validate = ajv.compile(schema);
    const texts = ['{"s":"ab"}', '{"s":"a"}', '{"s":"aB"}', '{"s":"abc","n":1e3,"e":"x"}', '{"s":"abc","e":2}', '{"n":1}'];
    for (const t of texts) expect(accepts(schema, t)).toBe(validate(JSON.parse(t)));
  });

  it('refuses unsupported keywords, naming them', () => {
    const fail = (schema: unknown) => {
      try {
        compileJsonSchema(schema);
      } catch (e) {
        return e instanceof SchemaCompileError ? e.keyword : 'other';
      }
      return 'none';
    };
    expect(fail({ type: 'integer', minimum: 1 })).toBe('minimum');
    expect(fail({ type: 'string', format: 'date' })).toBe('format');
    expect(fail({ oneOf: [{ type: 'string' }] })).toBe('oneOf');
    expect(fail({ type: 'object', properties: { a: { allOf: [] } } })).toBe('allOf');
    expect(fail({ type: 'string', pattern: '(?=x)' })).toBe('pattern');
    expect(fail({ $ref: 'http://example.com/s.json' })).toBe('$ref');
    expect(fail({ type: 'banana' })).toBe('type');
    expect(fail({ type: 'object', title: 'ok', description: 'fine' })).toBe('none');
    expect(new GrammarBuilder()).toBeDefined();
  });
});
