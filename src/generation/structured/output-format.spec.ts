import { GenerationOptionsError } from '../core/errors';
import { TokenTrie } from './constraint';
import { GrammarCache, grammarOf, parseResponseFormat } from './output-format';

const param = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return [(e as GenerationOptionsError).param, (e as Error).message];
  }
  return ['none', ''];
};

describe('response_format', () => {
  it('parses OpenAI shapes and names the field at fault', () => {
    expect(parseResponseFormat(undefined)).toBeUndefined();
    expect(parseResponseFormat({ type: 'text' })).toBeUndefined();
    expect(parseResponseFormat({ type: 'json_object' })).toEqual({ kind: 'json_object' });
    expect(parseResponseFormat({ type: 'json_schema', json_schema: { name: 'a', schema: { type: 'string' }, strict: true } })).toEqual({ kind: 'json_schema', name: 'a', schema: { type: 'string' } });
    expect(param(() => parseResponseFormat({ type: 'yaml' }))[0]).toBe('response_format');
    expect(param(() => parseResponseFormat({ type: 'json_schema', json_schema: { name: 'bad name' } }))[1]).toMatch(/name/);
    expect(param(() => parseResponseFormat({ type: 'json_schema', json_schema: { name: 'a', schema: [] } }))[1]).toMatch(/schema/);
  });

  it('turns schema errors into 400s naming the keyword and where it came from', () => {
    const [p, msg] = param(() => grammarOf({ kind: 'json_schema', name: 'a', schema: { type: 'object', properties: { n: { type: 'number', multipleOf: 2 } } } }, 'response_format'));
    expect(p).toBe('response_format');
    expect(msg).toMatch(/#\.properties\.n: the JSON Schema keyword "multipleOf" is not supported/);
    const [tp, tmsg] = param(() => grammarOf({ kind: 'tool_calls', format: 'hermes', parallel: false, functions: [{ name: 'f', parameters: { not: {} } }] }, 'tools'));
    expect(tp).toBe('tools[0].function.parameters');
    expect(tmsg).toMatch(/"not"/);
  });

  it('caches compiled grammars per spec, least recently used out first', () => {
    const trie = new TokenTrie(['{', '}', '"', 'a']);
    const cache = new GrammarCache(2);
    const a = cache.get({ kind: 'json_object' }, trie, 'response_format');
    expect(cache.get({ kind: 'json_object' }, trie, 'response_format')).toBe(a);
    cache.get({ kind: 'json_schema', name: 'x', schema: { type: 'string' } }, trie, 'response_format');
    cache.get({ kind: 'json_schema', name: 'y', schema: { type: 'null' } }, trie, 'response_format');
    expect(cache.size).toBe(2);
    expect(cache.get({ kind: 'json_object' }, trie, 'response_format')).not.toBe(a);
  });
});
