import { forcedCallGrammar, parseToolCalls, parseToolRequest, ToolCallStreamParser, ToolStreamEvent } from './tool-calls';
import { GenerationOptionsError } from '../core/errors';

const known = new Set(['get_weather', 'order_book']);

describe('tool calls', () => {
  it('validates tools and tool_choice', () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    expect(parseToolRequest(tools, undefined, undefined)).toMatchObject({ choice: 'auto', parallel: true });
    expect(parseToolRequest(tools, { type: 'function', function: { name: 'get_weather' } }, false)).toMatchObject({ choice: { name: 'get_weather' }, parallel: false });
    const param = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as GenerationOptionsError).param;
      }
      return 'none';
    };
    expect(param(() => parseToolRequest(tools, { type: 'function', function: { name: 'nope' } }, undefined))).toBe('tool_choice');
    expect(param(() => parseToolRequest([{ type: 'function', function: { name: 'a b' } }], undefined, undefined))).toBe('tools[0].function.name');
    expect(param(() => parseToolRequest(undefined, 'required', undefined))).toBe('tool_choice');
    expect(param(() => parseToolRequest(tools, 'always', undefined))).toBe('tool_choice');
    const req = parseToolRequest(tools, 'required', true)!;
    expect(forcedCallGrammar(req)).toMatchObject({ kind: 'tool_calls', parallel: true, functions: [{ name: 'get_weather' }] });
    expect(forcedCallGrammar({ ...req, choice: 'auto' })).toBeUndefined();
  });

  const output = 'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "北京", "days": {"n": 2}}}\n</tool_call>\n<tool_call>\n{"name": "order_book", "arguments": {}}\n</tool_call>';

  it('parses Hermes/Qwen blocks, keeping unknown or broken ones as text', () => {
    const { content, calls } = parseToolCalls(output, known);
    expect(content).toBe('Let me check.');
    expect(calls.map((c) => [c.name, c.arguments])).toEqual([
      ['get_weather', '{"city": "北京", "days": {"n": 2}}'],
      ['order_book', '{}'],
    ]);
    expect(calls[0].id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(parseToolCalls('<tool_call>{"name": "other", "arguments": {}}</tool_call>', known)).toMatchObject({ calls: [] });
    expect(parseToolCalls('x <tool_call>{"name": "get_weather", "argu', known)).toEqual({ content: 'x <tool_call>{"name": "get_weather", "argu', calls: [] });
  });

  it('streams the same calls in fragments, whatever the chunking', () => {
    const whole = parseToolCalls(output, known);
    for (const size of [1, 2, 3, 7, 1000]) {
      const p = new ToolCallStreamParser(known);
      const events: ToolStreamEvent[] = [];
      for (let i = 0; i < output.length; i += size) events.push(...p.push(output.slice(i, i + size)));
      events.push(...p.finish());
      const content = events.filter((e) => e.type === 'content').map((e) => (e as { text: string }).text).join('');
      const calls = events.filter((e) => e.type === 'call');
      const args = [0, 1].map((i) => events.filter((e) => e.type === 'arguments' && e.index === i).map((e) => (e as { text: string }).text).join(''));
      expect(content.trim()).toBe(whole.content);
      expect(calls.map((c) => (c as { name: string }).name)).toEqual(['get_weather', 'order_book']);
      expect(args).toEqual(whole.calls.map((c) => c.arguments));
      // the name arrives before any argument fragment of its call
      expect(events.findIndex((e) => e.type === 'call')).toBeLessThan(events.findIndex((e) => e.type === 'arguments'));
    }
  });

  it('streams a block that is not a call as text', () => {
    const p = new ToolCallStreamParser(known);
    const text = 'a <tool_call>{"name": "x", "arguments": {}}</tool_call> b';
    const events = [...p.push(text.slice(0, 10)), ...p.push(text.slice(10)), ...p.finish()];
    expect(events.every((e) => e.type === 'content')).toBe(true);
    expect(events.map((e) => (e as { text: string }).text).join('')).toBe(text);
  });
});
