/**
 * Tool calling: OpenAI's `tools` / `tool_choice` / `parallel_tool_calls` validated, the
 * grammar that forces a call (`required`, a named function), and the parser of the
 * model's output.
 *
 * Format per model family: every family served here uses the Hermes / Qwen2.5 markup,
 * `<tool_call>\n{"name": "...", "arguments": {...}}\n</tool_call>` (one block per call),
 * which Qwen2.5/Qwen3, Hermes 2/3 and the fallback prompt for templates without tools all
 * use. Other families' formats (Llama 3.1's `<|python_tag|>`, Mistral's `[TOOL_CALLS]`)
 * would be another parser behind `parserFor`.
 */
import { randomBytes } from 'node:crypto';
import { GenerationOptionsError } from '../core/errors';
import { HERMES, OutputGrammarSpec } from '../structured/output-format';

export interface ToolFunction {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ToolRequest {
  /** OpenAI's tool objects as sent (templates render them as they are) */
  tools: { type: 'function'; function: ToolFunction }[];
  choice: ToolChoice;
  parallel: boolean;
}

export interface ParsedToolCall {
  id: string;
  name: string;
  /** the arguments JSON as the model wrote it */
  arguments: string;
}

const bad = (param: string, msg: string): never => {
  throw new GenerationOptionsError(param, msg);
};

/** Validates the tool fields of a chat request; undefined when there are no tools. */
export function parseToolRequest(tools: unknown, toolChoice: unknown, parallel: unknown): ToolRequest | undefined {
  if (parallel !== undefined && parallel !== null && typeof parallel !== 'boolean') bad('parallel_tool_calls', 'parallel_tool_calls must be true or false');
  if (tools === undefined || tools === null || (Array.isArray(tools) && tools.length === 0)) {
    if (toolChoice !== undefined && toolChoice !== null && toolChoice !== 'none' && toolChoice !== 'auto') bad('tool_choice', 'tool_choice needs tools');
    return undefined;
  }
  if (!Array.isArray(tools)) return bad('tools', 'tools must be an array of {type: "function", function: {name, description, parameters}}');
  if (tools.length > 128) bad('tools', `at most 128 tools, got ${tools.length}`);
  const names = new Set<string>();
  const list = tools.map((t: unknown, i) => {
    const at = `tools[${i}]`;
    const tool = t as { type?: unknown; function?: Record<string, unknown> } | null;
    if (tool?.type !== 'function' || typeof tool.function !== 'object' || tool.function === null) bad(at, `${at} must be {type: "function", function: {...}}`);
    const f = tool!.function!;
    if (typeof f.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(f.name)) bad(`${at}.function.name`, `${at}.function.name must be 1-64 letters, digits, _ or -`);
    if (names.has(f.name as string)) bad(`${at}.function.name`, `${at}.function.name "${f.name}" is used twice`);
    names.add(f.name as string);
    if (f.description !== undefined && typeof f.description !== 'string') bad(`${at}.function.description`, `${at}.function.description must be a string`);
    if (f.parameters !== undefined && (typeof f.parameters !== 'object' || f.parameters === null || Array.isArray(f.parameters))) {
      bad(`${at}.function.parameters`, `${at}.function.parameters must be a JSON Schema object`);
    }
    return { type: 'function' as const, function: { name: f.name as string, description: f.description as string | undefined, parameters: (f.parameters ?? { type: 'object', properties: {} }) as Record<string, unknown> } };
  });
  let choice: ToolChoice = 'auto';
  if (toolChoice === 'none' || toolChoice === 'auto' || toolChoice === 'required') choice = toolChoice;
  else if (toolChoice !== undefined && toolChoice !== null) {
    const c = toolChoice as { type?: unknown; function?: { name?: unknown } };
    if (c?.type !== 'function' || typeof c.function?.name !== 'string') bad('tool_choice', 'tool_choice must be "auto", "none", "required" or {type: "function", function: {name}}');
    if (!names.has(c.function!.name as string)) bad('tool_choice', `tool_choice names the function "${c.function!.name}", which is not in tools`);
    choice = { name: c.function!.name as string };
  }
  return { tools: list, choice, parallel: parallel !== false };
}

/** The grammar spec that forces calls (required, named); undefined when the model chooses. */
export function forcedCallGrammar(req: ToolRequest): OutputGrammarSpec | undefined {
  if (req.choice === 'auto' || req.choice === 'none') return undefined;
  const named = typeof req.choice === 'object' ? req.choice.name : undefined;
  const fns = req.tools.map((t) => t.function).filter((f) => named === undefined || f.name === named);
  return { kind: 'tool_calls', format: 'hermes', functions: fns.map((f) => ({ name: f.name, parameters: f.parameters })), parallel: req.parallel && named === undefined };
}

export const toolCallId = () => `call_${randomBytes(12).toString('hex')}`;

const CALL_HEAD = /^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"arguments"\s*:\s*(?=\S)/;

/**
 * Splits a finished output into text and calls. A block whose JSON does not parse, or
 * names no tool of the request, stays text. Arguments are kept as written.
 */
export function parseToolCalls(text: string, known: ReadonlySet<string>): { content: string; calls: ParsedToolCall[] } {
  const calls: ParsedToolCall[] = [];
  let content = '';
  let at = 0;
  while (true) {
    const open = text.indexOf(HERMES.open, at);
    if (open < 0) break;
    const close = text.indexOf(HERMES.close, open);
    const inner = text.slice(open + HERMES.open.length, close < 0 ? text.length : close);
    const call = parseBlock(inner, known);
    if (call) {
      content += text.slice(at, open);
      calls.push(call);
    } else {
      content += text.slice(at, close < 0 ? text.length : close + HERMES.close.length);
    }
    at = close < 0 ? text.length : close + HERMES.close.length;
  }
  content += text.slice(at);
  return { content: content.trim(), calls };
}

function parseBlock(inner: string, known: ReadonlySet<string>): ParsedToolCall | undefined {
  let parsed: { name?: unknown; arguments?: unknown };
  try {
    parsed = JSON.parse(inner);
  } catch {
    return undefined;
  }
  if (typeof parsed?.name !== 'string' || !known.has(parsed.name)) return undefined;
  const head = CALL_HEAD.exec(inner);
  let args: string;
  if (head && typeof parsed.arguments === 'object' && parsed.arguments !== null) {
    // the model's own text of the arguments: everything up to the block's closing brace
    args = inner.slice(head[0].length, inner.lastIndexOf('}')).trim();
  } else if (typeof parsed.arguments === 'string') {
    args = parsed.arguments;
  } else {
    args = JSON.stringify(parsed.arguments ?? {});
  }
  return { id: toolCallId(), name: parsed.name, arguments: args };
}

export type ToolStreamEvent = { type: 'content'; text: string } | { type: 'call'; index: number; id: string; name: string } | { type: 'arguments'; index: number; text: string };

/**
 * The streaming side of parseToolCalls, for OpenAI's `delta.tool_calls`: text outside
 * blocks streams as content (holding back what may be the start of `<tool_call>`); in a
 * block, the call's id and name go out as soon as the name is complete, then the
 * arguments in fragments, holding back a trailing `}` and what follows it until it is
 * clear whether it closes the block. The fragments concatenate to the arguments
 * parseToolCalls gives for the same text.
 */
export class ToolCallStreamParser {
  private buffer = '';
  private inBlock = false;
  private callIndex = -1;
  private named = false;
  private argsSent = 0;
  private blockText = '';

  constructor(private readonly known: ReadonlySet<string>) {}

  push(text: string): ToolStreamEvent[] {
    this.buffer += text;
    return this.drain(false);
  }

  /** The end of the output: releases what was held back. */
  finish(): ToolStreamEvent[] {
    return this.drain(true);
  }

  /** How many calls were announced. */
  get calls(): number {
    return this.callIndex + 1;
  }

  private drain(final: boolean): ToolStreamEvent[] {
    const out: ToolStreamEvent[] = [];
    while (this.buffer.length) {
      if (!this.inBlock) {
        const open = this.buffer.indexOf(HERMES.open);
        if (open < 0) {
          const keep = final ? 0 : partialSuffix(this.buffer, HERMES.open);
          const emit = this.buffer.slice(0, this.buffer.length - keep);
          if (emit) out.push({ type: 'content', text: emit });
          this.buffer = this.buffer.slice(emit.length);
          break;
        }
        if (open > 0) out.push({ type: 'content', text: this.buffer.slice(0, open) });
        this.buffer = this.buffer.slice(open + HERMES.open.length);
        this.inBlock = true;
        this.named = false;
        this.argsSent = 0;
        this.blockText = '';
        continue;
      }
      this.blockText += this.buffer;
      this.buffer = '';
      const close = this.blockText.indexOf(HERMES.close);
      const body = close < 0 ? this.blockText : this.blockText.slice(0, close);
      if (!this.named) {
        const head = CALL_HEAD.exec(body);
        if (!head || !this.known.has(JSON.parse(`"${head[1]}"`))) {
          if (close < 0 && !final) break;
          // not a call after all: the block is text
          out.push({ type: 'content', text: HERMES.open + (close < 0 ? body : body + HERMES.close) });
          this.finishBlock(close);
          continue;
        }
        this.named = true;
        this.callIndex++;
        out.push({ type: 'call', index: this.callIndex, id: toolCallId(), name: JSON.parse(`"${head[1]}"`) });
        this.argsSent = head[0].length;
      }
      // The arguments end before the block's last '}': until the block closes, hold back from the last '}' seen (and trailing spaces).
      const lastBrace = body.lastIndexOf('}');
      const upTo = trimEnd(body, close >= 0 || final || lastBrace >= this.argsSent ? lastBrace : -1);
      if (upTo > this.argsSent) {
        out.push({ type: 'arguments', index: this.callIndex, text: body.slice(this.argsSent, upTo) });
        this.argsSent = upTo;
      }
      if (close < 0) break;
      this.finishBlock(close);
    }
    return out;
  }

  private finishBlock(close: number): void {
    this.buffer = close < 0 ? '' : this.blockText.slice(close + HERMES.close.length);
    this.blockText = '';
    this.inBlock = false;
  }
}

/** Where text ends before index `at` (-1: the end), trailing whitespace excluded. */
function trimEnd(body: string, at: number): number {
  let i = at < 0 ? body.length : at;
  while (i > 0 && /\s/.test(body[i - 1])) i--;
  return i;
}

/** Length of the longest suffix of `text` that is a proper prefix of `word`. */
function partialSuffix(text: string, word: string): number {
  for (let n = Math.min(word.length - 1, text.length); n > 0; n--) if (text.endsWith(word.slice(0, n))) return n;
  return 0;
}
