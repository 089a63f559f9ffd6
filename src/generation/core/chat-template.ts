/**
 * Chat messages -> prompt text, through the model's Jinja chat template (HF
 * `apply_chat_template` semantics, rendered by @huggingface/jinja as transformers.js does).
 *
 * Models without a template get a default. GPT-2 and other base models have no chat
 * tokens: ChatML's `<|im_start|>` would reach them as a dozen meaningless byte tokens,
 * so their default is a plain transcript they continue naturally
 * ("System text\n\nUser: ...\nAssistant: ...\nAssistant:"), ending without a trailing
 * space because GPT-2 BPE puts the space inside the next word's token. The engine
 * should then stop on PLAIN_CHAT_STOP_STRINGS, where a base model starts writing the
 * user's next turn. Models whose tokenizer declares `<|im_start|>`/`<|im_end|>` tokens
 * but ships no template get ChatML.
 */
import { Template } from '@huggingface/jinja';
import { ChatMessagesError, ChatTemplateError } from './errors';

export { ChatMessagesError, ChatTemplateError } from './errors';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';
const ROLES: readonly string[] = ['system', 'developer', 'user', 'assistant', 'tool'];

export interface ChatTextPart {
  type: 'text';
  text: string;
}

export interface ChatMessage {
  role: ChatRole;
  /** null only for assistant messages (OpenAI allows it next to tool calls) */
  content: string | ChatTextPart[] | null;
  name?: string;
  tool_call_id?: string;
}

/** What templates see: content always a string, `developer` folded into `system`. */
export interface TemplateMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  name?: string;
  tool_call_id?: string;
  /** an assistant's earlier calls; arguments parsed into an object when they are JSON (as HF templates expect) */
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: unknown } }[];
}

/**
 * For templates that do not render tools (no `tools` variable in them): the tool list
 * as a system prompt in the Hermes / Qwen2.5 wording, so the model is asked for the same
 * `<tool_call>` markup the parser reads.
 */
export function toolsSystemPrompt(tools: unknown[]): string {
  return (
    '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
    'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
    tools.map((t) => JSON.stringify(t)).join('\n') +
    '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
    '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
  );
}

/** An assistant's calls as the text the model would have written (for templates without tool support). */
function callsAsText(calls: NonNullable<TemplateMessage['tool_calls']>): string {
  return calls.map((c) => `<tool_call>\n{"name": ${JSON.stringify(c.function.name)}, "arguments": ${typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments)}}\n</tool_call>`).join('\n');
}

export const PLAIN_CHAT_TEMPLATE =
  "{%- for message in messages %}{% if message.role == 'system' %}{{ message.content + '\\n\\n' }}" +
  "{% elif message.role == 'user' %}{{ 'User: ' + message.content + '\\n' }}" +
  "{% elif message.role == 'assistant' %}{{ 'Assistant: ' + message.content + '\\n' }}" +
  "{% else %}{{ 'Tool: ' + message.content + '\\n' }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

/** Where a base model continuing PLAIN_CHAT_TEMPLATE begins the next turn. */
export const PLAIN_CHAT_STOP_STRINGS: readonly string[] = ['\nUser:', '\nSystem:'];

export const CHATML_TEMPLATE =
  "{%- for message in messages %}{{ '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface ResolvedChatTemplate {
  template: string;
  /** where it came from, for error messages: a file path or "default (plain transcript)" */
  source: string;
  isDefault: boolean;
  /** stop strings the default template needs; empty for model templates */
  stopStrings: readonly string[];
}

/**
 * Picks the template for a model folder, from what the loader read (no file access
 * here): `chat_template.jinja` (newer HF exports) wins over tokenizer_config.json's
 * `chat_template` (a string, or a list of named templates: "default" is used), else a
 * default. `origin` is the model folder, used to name the source.
 */
export function resolveChatTemplate(input: {
  origin: string;
  tokenizerConfig?: Record<string, unknown>;
  chatTemplateFile?: string;
}): ResolvedChatTemplate {
  const model = (template: string, file: string): ResolvedChatTemplate => ({
    template,
    source: `${input.origin}/${file}`,
    isDefault: false,
    stopStrings: [],
  });
  if (input.chatTemplateFile?.trim()) return model(input.chatTemplateFile, 'chat_template.jinja');
  const configured = input.tokenizerConfig?.chat_template;
  if (typeof configured === 'string' && configured.trim()) return model(configured, 'tokenizer_config.json');
  if (Array.isArray(configured)) {
    const named = configured.find((t: { name?: unknown }) => t?.name === 'default') as { template?: unknown } | undefined;
    if (typeof named?.template === 'string') return model(named.template, 'tokenizer_config.json (chat_template "default")');
    const file = `${input.origin}/tokenizer_config.json`;
    throw new ChatTemplateError(file, `${file} lists chat templates but none named "default"`);
  }
  if (declaresChatMl(input.tokenizerConfig)) {
    return { template: CHATML_TEMPLATE, source: 'default (ChatML)', isDefault: true, stopStrings: [] };
  }
  return { template: PLAIN_CHAT_TEMPLATE, source: 'default (plain transcript)', isDefault: true, stopStrings: PLAIN_CHAT_STOP_STRINGS };
}

function declaresChatMl(config: Record<string, unknown> | undefined): boolean {
  const decoder = config?.added_tokens_decoder;
  if (typeof decoder !== 'object' || decoder === null) return false;
  const contents = new Set(Object.values(decoder as Record<string, { content?: unknown }>).map((t) => t?.content));
  return contents.has('<|im_start|>') && contents.has('<|im_end|>');
}

/** bos/eos/unk/pad token strings from tokenizer_config.json (plain strings or AddedToken objects). */
export function specialTokensFromConfig(config: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
    const v = config?.[key];
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') {
      out[key] = (v as { content: string }).content;
    }
  }
  return out;
}

export interface ChatRenderOptions {
  /** append the assistant turn opener (default true) */
  addGenerationPrompt?: boolean;
  /** end the prompt inside the last (assistant) message so the model continues it */
  continueFinalMessage?: boolean;
  /** bos_token, eos_token, ... as templates expect them */
  specialTokens?: Record<string, string>;
  /** further template variables (e.g. Qwen's enable_thinking) */
  variables?: Record<string, unknown>;
  /** OpenAI tool objects: given to templates that render `tools`, else rendered as a system prompt (toolsSystemPrompt) */
  tools?: unknown[];
}

/** A parsed template; parse once per model, render per request. */
export class ChatTemplate {
  private readonly compiled: Template;

  constructor(
    readonly template: string,
    readonly source: string,
  ) {
    try {
      this.compiled = new Template(template);
    } catch (e) {
      throw new ChatTemplateError(source, `The chat template from ${source} does not parse: ${errorMessage(e)}`);
    }
  }

  /** whether the template itself renders a `tools` list (Qwen2.5, Hermes, Llama 3.1 templates do) */
  get rendersTools(): boolean {
    return /\btools\b/.test(this.template);
  }

  static fromResolved(resolved: ResolvedChatTemplate): ChatTemplate {
    return new ChatTemplate(resolved.template, resolved.source);
  }

  render(messages: unknown, options: ChatRenderOptions = {}): string {
    const continueFinal = options.continueFinalMessage ?? false;
    const addGenerationPrompt = options.addGenerationPrompt ?? !continueFinal;
    if (continueFinal && addGenerationPrompt) {
      throw new ChatMessagesError('add_generation_prompt and continue_final_message cannot both be set');
    }
    let normalized = normalizeChatMessages(messages);
    const variables: Record<string, unknown> = { ...options.variables };
    if (this.rendersTools) {
      if (options.tools?.length) variables.tools = options.tools;
    } else {
      normalized = normalized.map((m) => (m.tool_calls ? { role: m.role, content: [m.content, callsAsText(m.tool_calls)].filter(Boolean).join('\n') } : m));
      if (options.tools?.length) {
        const prompt = toolsSystemPrompt(options.tools);
        normalized = normalized[0]?.role === 'system' ? [{ ...normalized[0], content: `${normalized[0].content}\n\n${prompt}` }, ...normalized.slice(1)] : [{ role: 'system', content: prompt }, ...normalized];
      }
    }
    const last = normalized[normalized.length - 1];
    if (continueFinal && (last.role !== 'assistant' || !last.content.trim())) {
      throw new ChatMessagesError('continue_final_message needs the last message to be a non-empty assistant message');
    }
    let rendered: string;
    try {
      rendered = this.compiled.render({
        ...variables,
        ...options.specialTokens,
        messages: normalized,
        add_generation_prompt: addGenerationPrompt,
      });
    } catch (e) {
      // Messages are validated above, so what fails here is mostly the template's own
      // rules (raise_exception, e.g. "roles must alternate"): the caller can act on it.
      throw new ChatMessagesError(`The chat template from ${this.source} could not render these messages: ${errorMessage(e)}`);
    }
    if (!continueFinal) return rendered;
    // HF's rule: cut right after the final message's text, dropping its end-of-turn markup.
    const tail = last.content.trim();
    const at = rendered.lastIndexOf(tail);
    if (at < 0) {
      throw new ChatMessagesError(`The chat template from ${this.source} does not reproduce the final message, so it cannot be continued`);
    }
    return rendered.slice(0, at + tail.length);
  }
}

/** Validates OpenAI-style messages and turns them into what templates expect. */
export function normalizeChatMessages(messages: unknown): TemplateMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ChatMessagesError('messages must be a non-empty array of {role, content} objects');
  }
  return messages.map((m: unknown, i): TemplateMessage => {
    const at = `messages[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw new ChatMessagesError(`${at} must be an object with role and content`);
    }
    const msg = m as Record<string, unknown>;
    if (typeof msg.role !== 'string' || !ROLES.includes(msg.role)) {
      throw new ChatMessagesError(`${at}.role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(msg.role ?? null)}`);
    }
    const role = msg.role === 'developer' ? 'system' : (msg.role as TemplateMessage['role']);
    const out: TemplateMessage = { role, content: contentText(msg.content, role, at) };
    for (const key of ['name', 'tool_call_id'] as const) {
      if (msg[key] === undefined || msg[key] === null) continue;
      if (typeof msg[key] !== 'string') throw new ChatMessagesError(`${at}.${key} must be a string`);
      out[key] = msg[key];
    }
    if (msg.tool_calls !== undefined && msg.tool_calls !== null) {
      if (role !== 'assistant') throw new ChatMessagesError(`${at}.tool_calls is allowed on assistant messages only`);
      out.tool_calls = toolCalls(msg.tool_calls, at);
    }
    if (role === 'tool' && out.tool_call_id === undefined) throw new ChatMessagesError(`${at}: a tool message needs tool_call_id`);
    return out;
  });
}

function toolCalls(calls: unknown, at: string): NonNullable<TemplateMessage['tool_calls']> {
  if (!Array.isArray(calls)) throw new ChatMessagesError(`${at}.tool_calls must be an array`);
  return calls.map((c: unknown, j) => {
    const call = c as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
    const where = `${at}.tool_calls[${j}]`;
    if (typeof call?.id !== 'string' || typeof call.function?.name !== 'string' || typeof call.function.arguments !== 'string') {
      throw new ChatMessagesError(`${where} must be {id, type: "function", function: {name, arguments (a JSON string)}}`);
    }
    let args: unknown = call.function.arguments;
    try {
      args = JSON.parse(call.function.arguments);
    } catch {
      // kept as the string it was
    }
    return { id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: args } };
  });
}

/** Text parts are joined with newlines (vLLM's "string" content format). */
function contentText(content: unknown, role: string, at: string): string {
  if (typeof content === 'string') return content;
  if ((content === null || content === undefined) && role === 'assistant') return '';
  if (!Array.isArray(content)) {
    throw new ChatMessagesError(`${at}.content must be a string or an array of text parts`);
  }
  return content
    .map((part: unknown, j) => {
      const p = part as { type?: unknown; text?: unknown } | null;
      if (p?.type !== 'text') {
        throw new ChatMessagesError(`${at}.content[${j}]: only text parts are supported, got type ${JSON.stringify(p?.type ?? null)}`);
      }
      if (typeof p.text !== 'string') throw new ChatMessagesError(`${at}.content[${j}].text must be a string`);
      return p.text;
    })
    .join('\n');
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
