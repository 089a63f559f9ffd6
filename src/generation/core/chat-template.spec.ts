import {
  CHATML_TEMPLATE,
  ChatMessagesError,
  ChatTemplate,
  ChatTemplateError,
  PLAIN_CHAT_STOP_STRINGS,
  PLAIN_CHAT_TEMPLATE,
  normalizeChatMessages,
  resolveChatTemplate,
  specialTokensFromConfig,
} from './chat-template';

// Qwen2-Instruct's chat_template (tokenizer_config.json), verbatim.
const QWEN2_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

// Mistral-style: rejects conversations whose roles do not alternate.
const ALTERNATING_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";

const conversation = [
  { role: 'user' as const, content: '你好' },
  { role: 'assistant' as const, content: '你好！有什么可以帮你？' },
  { role: 'user' as const, content: 'Tell me a joke.' },
];

describe('ChatTemplate with a model template (Qwen2 / ChatML)', () => {
  const qwen = new ChatTemplate(QWEN2_TEMPLATE, 'models/qwen2/tokenizer_config.json');

  it('renders the conversation with the default system prompt and the generation prompt', () => {
    expect(qwen.render(conversation)).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\n你好<|im_end|>\n' +
        '<|im_start|>assistant\n你好！有什么可以帮你？<|im_end|>\n' +
        '<|im_start|>user\nTell me a joke.<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
  });

  it('uses a given system message (developer counts as system) and text parts joined by newlines', () => {
    const out = qwen.render(
      [
        { role: 'developer', content: 'Answer in Chinese.' },
        { role: 'user', content: [{ type: 'text', text: 'line one' }, { type: 'text', text: 'line two' }] },
      ],
      { addGenerationPrompt: false },
    );
    expect(out).toBe('<|im_start|>system\nAnswer in Chinese.<|im_end|>\n<|im_start|>user\nline one\nline two<|im_end|>\n');
  });

  it('continues a final assistant message without closing it', () => {
    const out = qwen.render([...conversation, { role: 'assistant', content: '好的，' }], { continueFinalMessage: true });
    expect(out.endsWith('<|im_start|>assistant\n好的，')).toBe(true);
  });

  it('enforces the rules for continuing a message', () => {
    expect(() => qwen.render(conversation, { continueFinalMessage: true })).toThrow(ChatMessagesError);
    expect(() => qwen.render([...conversation, { role: 'assistant', content: 'x' }], { continueFinalMessage: true, addGenerationPrompt: true })).toThrow(
      /cannot both be set/,
    );
  });

  it('matches the built-in ChatML default for conversations with a system message', () => {
    const withSystem = [{ role: 'system' as const, content: 'S' }, ...conversation];
    expect(new ChatTemplate(CHATML_TEMPLATE, 'default').render(withSystem)).toBe(qwen.render(withSystem));
  });
});

describe('ChatTemplate defaults', () => {
  it('renders the plain transcript that GPT-2 continues, ending without a trailing space', () => {
    const plain = new ChatTemplate(PLAIN_CHAT_TEMPLATE, 'default (plain transcript)');
    expect(plain.render([{ role: 'system', content: 'You are helpful.' }, ...conversation])).toBe(
      'You are helpful.\n\nUser: 你好\nAssistant: 你好！有什么可以帮你？\nUser: Tell me a joke.\nAssistant:',
    );
    expect(PLAIN_CHAT_STOP_STRINGS).toContain('\nUser:');
  });

  it('passes special tokens from tokenizer_config.json (strings or AddedToken objects)', () => {
    const tokens = specialTokensFromConfig({ bos_token: { content: '<s>', lstrip: false }, eos_token: '</s>', pad_token: null });
    expect(tokens).toEqual({ bos_token: '<s>', eos_token: '</s>' });
    const out = new ChatTemplate(ALTERNATING_TEMPLATE, 'm/tokenizer_config.json').render(conversation.slice(0, 2), { specialTokens: tokens });
    expect(out).toBe('<s>[INST] 你好 [/INST]你好！有什么可以帮你？</s>');
  });
});

describe('ChatTemplate errors name the template source', () => {
  it('a template that does not parse is the model folder\'s fault (500)', () => {
    let err: unknown;
    try {
      new ChatTemplate('{% for m in messages %}{{ m.content }', 'models/broken/tokenizer_config.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChatTemplateError);
    expect((err as ChatTemplateError).status).toBe(500);
    expect((err as Error).message).toMatch(/^The chat template from models\/broken\/tokenizer_config.json does not parse: /);
  });

  it('raise_exception in the template becomes a 400 on messages with its text', () => {
    const t = new ChatTemplate(ALTERNATING_TEMPLATE, 'models/mistral/tokenizer_config.json');
    let err: unknown;
    try {
      t.render([{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChatMessagesError);
    expect((err as ChatMessagesError).param).toBe('messages');
    expect((err as Error).message).toBe(
      'The chat template from models/mistral/tokenizer_config.json could not render these messages: Conversation roles must alternate user/assistant/user/assistant/...',
    );
  });

  it('a render failure names the source too', () => {
    const t = new ChatTemplate('{{ messages[0].content.nope() }}', 'models/x/chat_template.jinja');
    expect(() => t.render([{ role: 'user', content: 'hi' }])).toThrow(/^The chat template from models\/x\/chat_template.jinja could not render/);
  });
});

describe('normalizeChatMessages', () => {
  it.each([
    [[], /messages must be a non-empty array/],
    ['hi', /messages must be a non-empty array/],
    [[null], /messages\[0\] must be an object/],
    [[{ role: 'bot', content: 'x' }], /messages\[0\]\.role must be one of system, developer, user, assistant, tool; got "bot"/],
    [[{ content: 'x' }], /role must be one of .* got null/],
    [[{ role: 'user', content: null }], /messages\[0\]\.content must be a string or an array of text parts/],
    [[{ role: 'user', content: 5 }], /content must be a string/],
    [[{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }], /messages\[0\]\.content\[0\]: only text parts are supported, got type "image_url"/],
    [[{ role: 'user', content: [{ type: 'text' }] }], /content\[0\]\.text must be a string/],
    [[{ role: 'user', content: 'x', name: 3 }], /messages\[0\]\.name must be a string/],
  ])('rejects %j', (messages, message) => {
    expect(() => normalizeChatMessages(messages)).toThrow(message);
  });

  it('keeps name and tool_call_id, and lets assistant content be null', () => {
    expect(
      normalizeChatMessages([
        { role: 'user', content: 'q', name: 'li' },
        { role: 'assistant', content: null },
        { role: 'tool', content: '{"ok":true}', tool_call_id: 'call_1' },
      ]),
    ).toEqual([
      { role: 'user', content: 'q', name: 'li' },
      { role: 'assistant', content: '' },
      { role: 'tool', content: '{"ok":true}', tool_call_id: 'call_1' },
    ]);
  });
});

describe('resolveChatTemplate', () => {
  const origin = 'models/m';

  it('prefers chat_template.jinja, then tokenizer_config.json, then a named "default"', () => {
    expect(resolveChatTemplate({ origin, chatTemplateFile: 'A', tokenizerConfig: { chat_template: 'B' } })).toMatchObject({
      template: 'A',
      source: 'models/m/chat_template.jinja',
      isDefault: false,
    });
    expect(resolveChatTemplate({ origin, tokenizerConfig: { chat_template: 'B' } })).toMatchObject({ template: 'B', source: 'models/m/tokenizer_config.json' });
    const named = { chat_template: [{ name: 'tool_use', template: 'T' }, { name: 'default', template: 'D' }] };
    expect(resolveChatTemplate({ origin, tokenizerConfig: named }).template).toBe('D');
    expect(() => resolveChatTemplate({ origin, tokenizerConfig: { chat_template: [{ name: 'rag', template: 'R' }] } })).toThrow(ChatTemplateError);
  });

  it('defaults to ChatML when the tokenizer declares its tokens, else to the plain transcript (GPT-2)', () => {
    const chatml = { added_tokens_decoder: { '151644': { content: '<|im_start|>' }, '151645': { content: '<|im_end|>' } } };
    expect(resolveChatTemplate({ origin, tokenizerConfig: chatml })).toMatchObject({ template: CHATML_TEMPLATE, isDefault: true, stopStrings: [] });
    const gpt2 = { added_tokens_decoder: { '50256': { content: '<|endoftext|>' } }, eos_token: '<|endoftext|>' };
    expect(resolveChatTemplate({ origin, tokenizerConfig: gpt2 })).toMatchObject({
      template: PLAIN_CHAT_TEMPLATE,
      source: 'default (plain transcript)',
      stopStrings: PLAIN_CHAT_STOP_STRINGS,
    });
    expect(resolveChatTemplate({ origin }).template).toBe(PLAIN_CHAT_TEMPLATE);
  });
});

describe('tools in chat templates', () => {
  const { QWEN25_STYLE_CHAT_TEMPLATE } = require('../../inference/fixtures/chat-templates');
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const messages = [
    { role: 'user', content: '北京天气？' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temp":3}' },
  ];

  it('gives tools and earlier calls to a template that renders them (Qwen2.5 style)', () => {
    const t = new ChatTemplate(QWEN25_STYLE_CHAT_TEMPLATE, 'qwen');
    expect(t.rendersTools).toBe(true);
    const text = t.render(messages, { tools });
    expect(text).toContain('<tools>\n{"type": "function", "function": {"name": "get_weather"');
    expect(text).toContain('<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "北京"}}\n</tool_call><|im_end|>');
    expect(text).toContain('<|im_start|>user\n<tool_response>\n{"temp":3}\n</tool_response><|im_end|>');
    expect(text.endsWith('<|im_start|>assistant\n')).toBe(true);
  });

  it('falls back to a Hermes-style system prompt and calls as text for templates without tools', () => {
    const t = new ChatTemplate(PLAIN_CHAT_TEMPLATE, 'plain');
    expect(t.rendersTools).toBe(false);
    const text = t.render(messages, { tools });
    expect(text.startsWith('# Tools')).toBe(true);
    expect(text).toContain('"name":"get_weather"');
    expect(text).toContain('Assistant: <tool_call>\n{"name": "get_weather", "arguments": {"city":"北京"}}\n</tool_call>\nTool: {"temp":3}\nAssistant:');
    expect(() => t.render([{ role: 'tool', content: 'x' }])).toThrow(/tool_call_id/);
  });
});
