import Ajv from 'ajv';
import { CompiledGrammar, GrammarConstraint, TokenTrie } from './constraint';
import { grammarOf } from './output-format';
import { advanceText } from './grammar';

// A synthetic vocabulary: every printable ASCII character, some JSON-ish pieces, one non-ASCII word, EOS last.
const pieces = ['\n', '{"', '":', '",', '"}', ' "', 'true', 'null', '12', '.5', 'e-', '\\"', '\\u00', 'ab', 'xyz', '书', '  ', '}}', '],'];
const texts: (string | null)[] = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), ...pieces, null];
const EOS = texts.length - 1;
const trie = new TokenTrie(texts);

function walk(g: CompiledGrammar, seed: number): { text: string; ended: 'eos' | 'finished' | 'length' } {
  let r = seed * 7919 + 1;
  const rnd = () => (r = (r * 1103515245 + 12345) % 2147483648) / 2147483648;
  const c = new GrammarConstraint(g, [EOS]);
  let text = '';
  for (let step = 0; step < 300; step++) {
    const m = c.mask();
    const allowed = [...texts.keys()].filter((i) => m.bits[i >>> 5] & (1 << (i & 31))).concat(m.extra);
    if (allowed.length === 0) throw new Error(`dead end after ${JSON.stringify(text)}`);
    const t = allowed[Math.floor(rnd() * allowed.length)];
    if (t === EOS) return { text, ended: 'eos' };
    c.advance(t);
    text += texts[t];
    if (c.finished) return { text, ended: 'finished' };
  }
  return { text, ended: 'length' };
}

describe('GrammarConstraint over a vocabulary trie', () => {
  const schema = {
    type: 'object',
    properties: { a: { enum: ['书', 'ab', 1] }, n: { type: 'number' }, s: { type: 'string', maxLength: 4, pattern: '^[a-z]*$' }, list: { type: 'array', items: { type: ['integer', 'null'] }, minItems: 1, maxItems: 3 } },
    required: ['a', 'list'],
  };

  it('random walks through the mask never dead-end, and every ended document validates', () => {
    const validate = new Ajv().compile(schema);
    const g = new CompiledGrammar(grammarOf({ kind: 'json_schema', name: 't', schema }, 'response_format'), trie);
    let complete = 0;
    for (let seed = 0; seed < 200; seed++) {
      const { text, ended } = walk(g, seed);
      if (ended === 'length') continue;
      expect([text, validate(JSON.parse(text))]).toEqual([text, true]);
      complete++;
    }
    expect(complete).toBeGreaterThan(150);
    // masks are cached per state: most steps are lookups
    expect(g.counters.cached).toBeGreaterThan(g.counters.computed);
  });

  it('allows EOS only where the document may end, and ends forced tool calls by itself', () => {
    const number = new CompiledGrammar(grammarOf({ kind: 'json_schema', name: 'n', schema: { type: 'integer' } }, 'response_format'), trie);
    const c = new GrammarConstraint(number, [EOS]);
    expect(c.mask().extra).toEqual([]);
    c.advance(texts.indexOf('12'));
    expect(c.mask().extra).toEqual([EOS]); // "12" may end or go on
    expect(c.finished).toBe(false);
    const calls = new CompiledGrammar(grammarOf({ kind: 'tool_calls', format: 'hermes', parallel: false, functions: [{ name: 'f', parameters: { type: 'object', properties: { x: { type: 'boolean' } }, required: ['x'] } }] }, 'tools'), trie);
    for (let seed = 0; seed < 20; seed++) {
      const { text, ended } = walk(calls, seed);
      expect(ended).toBe('finished');
      expect(text).toMatch(/^ ?<tool_call>\n\{"name": "f", "arguments": \{"x": ?(true|false)\}\}\n<\/tool_call>$/);
    }
  });
});

describe('TokenTrie.maskFor', () => {
  it('equals checking every token on its own, inside strings (fast path) and elsewhere', () => {
    const schema = { type: 'object', properties: { s: { type: 'string', maxLength: 3 }, free: { type: 'string' }, n: { type: 'integer' } }, required: ['s', 'free', 'n'] };
    const g = new CompiledGrammar(grammarOf({ kind: 'json_schema', name: 't', schema }, 'response_format'), trie);
    const doc = '{"s": "ab", "free": "x\\"yz书", "n": 12}';
    let state = g.initial;
    for (const ch of doc) {
      const bits = trie.maskFor(state);
      texts.forEach((text, id) => {
        const expected = text ? advanceText(state, text) !== null : false;
        expect([ch, id, (bits[id >>> 5] & (1 << (id & 31))) !== 0]).toEqual([ch, id, expected]);
      });
      state = advanceText(state, ch)!;
    }
    expect(state.accept).toBe(true);
  });
});
