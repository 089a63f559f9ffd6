import Ajv from 'ajv';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { QWEN25_STYLE_CHAT_TEMPLATE } from '../../src/inference/fixtures/chat-templates';
import { writeTinyGpt2, writeTinyGpt2LongContext, writeTinyQwen2 } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

const ajv = new Ajv();

const ORDER = {
  type: 'object',
  properties: {
    item: { enum: ['book', 'pen', '书'] },
    count: { type: 'integer' },
    gift: { type: 'boolean' },
    note: { type: 'string', maxLength: 6 },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]{1,3}$' }, maxItems: 2 },
    size: { anyOf: [{ type: 'null' }, { const: 'XL' }] },
  },
  required: ['item', 'count', 'tags'],
  additionalProperties: false,
};

const WEATHER = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather of a city', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 8 }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false } },
};
const ORDER_TOOL = { type: 'function' as const, function: { name: 'order_book', parameters: { type: 'object', properties: { isbn: { type: 'string', pattern: '^\\d{3}$' } }, required: ['isbn'] } } };

describe('structured outputs and tool calls', () => {
  let t: TestApp;
  let client: OpenAI;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-structured-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyGpt2(modelsDir);
    await writeTinyGpt2LongContext(modelsDir, 'tiny-gpt2-long');
    await writeTinyGpt2LongContext(modelsDir, 'tiny-qwen-template', QWEN25_STYLE_CHAT_TEMPLATE);
    await writeTinyQwen2(modelsDir);
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, GENERATION_MAX_BATCH: '16' } });
    await t.app.get(InferencePool).startup;
    const baseURL = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/v1`;
    client = new OpenAI({ apiKey: 'unused', baseURL });
  });
  afterAll(() => t.close());

  it('json_schema: across many seeds every output validates, or ends with "length"', async () => {
    const validate = ajv.compile(ORDER);
    const format = { type: 'json_schema', json_schema: { name: 'order', schema: ORDER, strict: true } };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, seed) =>
        t.http().post('/v1/chat/completions').send({ model: 'tiny-gpt2', messages: [{ role: 'user', content: '订一本书' }], max_tokens: 90, temperature: 1.2, seed, response_format: format }).then((r) => {
          if (r.status !== 200) throw new Error(`seed ${seed}: ${r.status} ${JSON.stringify(r.body)}`);
          return r;
        }),
      ),
    );
    let valid = 0;
    for (const r of results) {
      const choice = r.body.choices[0];
      if (choice.finish_reason === 'length') continue;
      expect(choice.finish_reason).toBe('stop');
      const doc = JSON.parse(choice.message.content);
      expect(validate(doc)).toBe(true);
      valid++;
    }
    // the worst case is a random model, yet most documents complete well within 90 tokens
    expect(valid).toBeGreaterThan(20);
  });

  it('json_object on /v1/completions and json_schema on the native API; other sequences in the batch are unaffected', async () => {
    const plain = { model: 'tiny-gpt2', prompt: 'Hello, world!', max_tokens: 20, temperature: 0 };
    const solo = await t.http().post('/v1/completions').send(plain).expect(200);
    const constrained = Array.from({ length: 6 }, (_, seed) => t.http().post('/v1/completions').send({ model: 'tiny-gpt2', prompt: 'JSON:', max_tokens: 100, temperature: 1, seed, response_format: { type: 'json_object' } }).expect(200));
    const [together, ...objects] = await Promise.all([t.http().post('/v1/completions').send(plain).expect(200), ...constrained]);
    expect(together.body.choices[0].text).toBe(solo.body.choices[0].text);
    let complete = 0;
    for (const o of objects) {
      const c = o.body.choices[0];
      if (c.finish_reason === 'length') continue;
      const doc = JSON.parse(c.text);
      expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc)).toBe(true);
      complete++;
    }
    expect(complete).toBeGreaterThan(0);
    const schema = { type: 'object', properties: { ok: { type: 'boolean' }, level: { enum: [1, 2, 3] } }, required: ['ok', 'level'] };
    const native = await t.http().post('/api/v1/generation/generate').send({ prompt: 'x', max_tokens: 40, seed: 3, response_format: { type: 'json_schema', json_schema: { name: 's', schema } } }).expect(200);
    expect(native.body.choices[0].finishReason).toBe('stop');
    expect(ajv.validate(schema, JSON.parse(native.body.choices[0].text))).toBe(true);
  });

  it('refuses unsupported schema keywords and bad formats with a 400 naming them', async () => {
    const bad = await t.http().post('/v1/chat/completions').send({ model: 'tiny-gpt2', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'integer', minimum: 3 } } } }).expect(400);
    expect(bad.body.error.param).toBe('response_format');
    expect(bad.body.error.message).toMatch(/"minimum" is not supported/);
    const type = await t.http().post('/v1/completions').send({ model: 'tiny-gpt2', prompt: 'x', response_format: { type: 'xml' } }).expect(400);
    expect(type.body.error.param).toBe('response_format');
    const native = await t.http().post('/api/v1/generation/generate').send({ prompt: 'x', response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'string', format: 'email' } } } }).expect(400);
    expect(native.body.message).toMatch(/format/);
    const tool = await t.http().post('/v1/chat/completions').send({ model: 'tiny-gpt2', messages: [{ role: 'user', content: 'x' }], tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'nope' } } }).expect(400);
    expect(tool.body.error.param).toBe('tool_choice');
  });

  it('the openai client drives json_schema output, streaming and not', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string', maxLength: 10 }, days: { type: 'integer' } }, required: ['city', 'days'], additionalProperties: false };
    const args = { model: 'tiny-gpt2', messages: [{ role: 'user' as const, content: 'Weather?' }], max_tokens: 60, seed: 7, response_format: { type: 'json_schema' as const, json_schema: { name: 'forecast', schema, strict: true } } };
    const once = await client.chat.completions.create(args);
    expect(once.choices[0].finish_reason).toBe('stop');
    expect(ajv.validate(schema, JSON.parse(once.choices[0].message.content!))).toBe(true);
    const parsed = await client.chat.completions.parse(args);
    expect(parsed.choices[0].message.parsed).toEqual(JSON.parse(once.choices[0].message.content!));
    const stream = await client.chat.completions.create({ ...args, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(once.choices[0].message.content);
  });

  for (const model of ['tiny-qwen-template', 'tiny-qwen2']) it(`${model}: streams delta.tool_calls in OpenAI's chunk format: index, id and name first, then argument fragments`, async () => {
    const res = await t
      .http()
      .post('/v1/chat/completions')
      .send({ model, messages: [{ role: 'user', content: '天气' }], tools: [WEATHER], tool_choice: 'required', parallel_tool_calls: true, max_tokens: 200, seed: 4, stream: true })
      .buffer(true)
      .parse((r, cb) => {
        let data = '';
        r.on('data', (c: Buffer) => (data += c.toString('utf8')));
        r.on('end', () => cb(null, data));
      });
    const events = String(res.body).split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
    expect(events.pop()).toBe('[DONE]');
    const chunks = events.map((e) => JSON.parse(e));
    const deltas = chunks.flatMap((c) => c.choices.map((ch: { delta: Record<string, unknown> }) => ch.delta));
    const toolDeltas = deltas.filter((d) => d.tool_calls).map((d) => (d.tool_calls as Record<string, unknown>[])[0]);
    const firsts = toolDeltas.filter((d) => d.id);
    expect(firsts.length).toBeGreaterThanOrEqual(1);
    for (const f of firsts) expect(f).toEqual({ index: expect.any(Number), id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '' } });
    // every fragment comes after its call's first chunk and carries only index and arguments
    firsts.forEach((f, i) => {
      const at = toolDeltas.indexOf(f);
      const fragments = toolDeltas.filter((d) => d.index === f.index && d !== f);
      expect(fragments.every((d) => toolDeltas.indexOf(d) > at && Object.keys(d).sort().join() === 'function,index')).toBe(true);
      const args = fragments.map((d) => (d.function as { arguments: string }).arguments).join('');
      expect(ajv.validate(WEATHER.function.parameters, JSON.parse(args))).toBe(true);
      expect(f.index).toBe(i);
    });
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
    expect(deltas.some((d) => typeof d.content === 'string' && d.content.includes('<tool_call>'))).toBe(false);
  });

  it('tool_choice "none" neither shows the tools nor parses calls; "auto" shows them', async () => {
    const base = { model: 'tiny-qwen-template', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 };
    const plain = await t.http().post('/v1/chat/completions').send(base).expect(200);
    const none = await t.http().post('/v1/chat/completions').send({ ...base, tools: [WEATHER], tool_choice: 'none' }).expect(200);
    const auto = await t.http().post('/v1/chat/completions').send({ ...base, tools: [WEATHER] }).expect(200);
    expect(none.body.usage.prompt_tokens).toBe(plain.body.usage.prompt_tokens);
    expect(auto.body.usage.prompt_tokens).toBeGreaterThan(plain.body.usage.prompt_tokens + 50);
  });

  // tiny-qwen2: the Llama/Qwen2 architecture with its own Qwen2.5-style tokenizer (<tool_call> one added token)
  for (const model of ['tiny-gpt2-long', 'tiny-qwen-template', 'tiny-qwen2']) {
    it(`${model}: a forced call validates against its parameters; the round trip (call -> tool message -> answer) works, streaming and not`, async () => {
      const validate = ajv.compile(WEATHER.function.parameters);
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: '北京的天气怎么样？' }];
      for (let seed = 0; seed < 8; seed++) {
        const r = await client.chat.completions.create({ model, messages, tools: [WEATHER, ORDER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 80, seed });
        const c = r.choices[0];
        if (c.finish_reason === 'length') continue;
        expect(c.finish_reason).toBe('tool_calls');
        expect(c.message.tool_calls).toHaveLength(1);
        const call = c.message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
        expect(call.id).toMatch(/^call_/);
        expect(call.function.name).toBe('get_weather');
        expect(validate(JSON.parse(call.function.arguments))).toBe(true);
      }
      const required = await client.chat.completions.create({ model, messages, tools: [WEATHER, ORDER_TOOL], tool_choice: 'required', parallel_tool_calls: false, max_tokens: 80, seed: 1 });
      expect(required.choices[0].finish_reason).toBe('tool_calls');
      const call = required.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
      expect(ajv.validate([WEATHER, ORDER_TOOL].find((x) => x.function.name === call.function.name)!.function.parameters, JSON.parse(call.function.arguments))).toBe(true);

      // streaming: the client's helper assembles the call from delta.tool_calls chunks
      const stream = client.chat.completions.stream({ model, messages, tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 80, seed: 1 });
      const streamed = await stream.finalChatCompletion();
      const nonStreamed = await client.chat.completions.create({ model, messages, tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 80, seed: 1 });
      expect(streamed.choices[0].finish_reason).toBe('tool_calls');
      const sCall = streamed.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
      const nCall = nonStreamed.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
      expect(sCall.function).toEqual(nCall.function);
      expect(validate(JSON.parse(sCall.function.arguments))).toBe(true);

      // round trip: the call and its result go back; the model answers in text
      const history: OpenAI.Chat.ChatCompletionMessageParam[] = [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [nCall] },
        { role: 'tool', tool_call_id: nCall.id, content: JSON.stringify({ temperature: 3, sky: '晴' }) },
      ];
      const answer = await client.chat.completions.create({ model, messages: history, tools: [WEATHER], tool_choice: 'none', max_tokens: 12, seed: 2 });
      expect(answer.choices[0].message.tool_calls ?? []).toHaveLength(0);
      expect(typeof answer.choices[0].message.content).toBe('string');
      const answerStream = client.chat.completions.stream({ model, messages: history, tools: [WEATHER], tool_choice: 'none', max_tokens: 12, seed: 2 });
      expect((await answerStream.finalChatCompletion()).choices[0].message.content).toBe(answer.choices[0].message.content);
      // the tool result reached the prompt
      const without = await client.chat.completions.create({ model, messages, max_tokens: 1 });
      expect(answer.usage!.prompt_tokens).toBeGreaterThan(without.usage!.prompt_tokens + 20);
    });
  }
});
