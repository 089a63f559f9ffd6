import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { BadInputError } from '../common/errors';
import { normalizeError, openAiBody } from '../common/error-shape';
import { SseWriter } from '../common/sse';
import { GenerationOptionsInput } from '../generation/core/options';
import { GenerationService, PreparedGeneration } from '../generation/generation.service';
import { ChoiceResult, collectChoice, GeneratedToken, mergeChoices } from '../generation/results';
import { parseResponseFormat } from '../generation/structured/output-format';
import { forcedCallGrammar, parseToolCalls, parseToolRequest, ToolCallStreamParser, ToolRequest } from '../generation/tools/tool-calls';
import { ChatCompletionRequestDto, ChatCompletionResponseDto, CompletionRequestDto, CompletionResponseDto } from './completions.dto';

const OPENAI_COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

type Kind = 'completion' | 'chat';

const now = () => Math.floor(Date.now() / 1000);
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

/**
 * The OpenAI-compatible surface over GenerationService: request fields in, OpenAI's
 * response, chunk, logprobs and usage shapes out, streaming as Server-Sent Events.
 */
@Injectable()
export class OpenAiService {
  private readonly logger = new Logger('OpenAI');

  constructor(private readonly generation: GenerationService) {}

  async completions(body: CompletionRequestDto, projectId: string, signal: AbortSignal, res: Response): Promise<CompletionResponseDto | void> {
    if (body.suffix !== undefined && body.suffix !== null && body.suffix !== '') throw new BadInputError('suffix (insertion) is not supported', { param: 'suffix' });
    if (body.best_of !== undefined && body.best_of !== null && body.best_of !== 1) throw new BadInputError('best_of other than 1 is not supported', { param: 'best_of' });
    if (typeof body.prompt !== 'string' && !(Array.isArray(body.prompt) && body.prompt.every(Number.isInteger))) {
      throw new BadInputError('prompt must be a string or an array of token ids', { param: 'prompt' });
    }
    const logprobs = body.logprobs ?? undefined;
    const prepared = await this.generation.start({
      model: this.modelParam(body.model),
      prompt: body.prompt,
      output: parseResponseFormat(body.response_format),
      options: { ...this.options(body), logprobs: logprobs === undefined ? undefined : logprobs },
      defaultMaxTokens: OPENAI_COMPLETIONS_DEFAULT_MAX_TOKENS,
      signal,
      projectId,
    });
    const echo = body.echo === true ? (typeof body.prompt === 'string' ? body.prompt : prepared.promptIds.map(prepared.tokenText).join('')) : '';
    if (body.stream) return this.stream('completion', prepared, body.stream_options?.include_usage === true, res, echo);
    const choices = await Promise.all(prepared.streams.map((s, i) => collectChoice(i, s)));
    return {
      id: `cmpl-${randomUUID().replace(/-/g, '')}`,
      object: 'text_completion',
      created: now(),
      model: prepared.model,
      choices: choices.map((c) => ({ index: c.index, text: echo + c.text, logprobs: prepared.options.logprobs ? completionLogprobs(c.tokens, prepared) : null, finish_reason: c.finishReason })),
      usage: usage(prepared, choices),
    };
  }

  async chat(body: ChatCompletionRequestDto, projectId: string, signal: AbortSignal, res: Response): Promise<ChatCompletionResponseDto | void> {
    const tools = parseToolRequest(body.tools, body.tool_choice, body.parallel_tool_calls);
    // tool_choice "none": the tools are neither shown to the model nor parsed from its output
    const active = tools && tools.choice !== 'none' ? tools : undefined;
    const forced = active && forcedCallGrammar(active);
    const prepared = await this.generation.start({
      model: this.modelParam(body.model),
      messages: body.messages as unknown[],
      options: { ...this.options(body), max_completion_tokens: body.max_completion_tokens, logprobs: body.logprobs, top_logprobs: body.top_logprobs },
      output: forced ?? parseResponseFormat(body.response_format),
      outputParam: forced ? 'tools' : 'response_format',
      tools: active?.tools,
      signal,
      projectId,
    });
    if (body.stream) return this.stream('chat', prepared, body.stream_options?.include_usage === true, res, '', active);
    const choices = await Promise.all(prepared.streams.map((s, i) => collectChoice(i, s)));
    const known = new Set(active?.tools.map((t) => t.function.name));
    return {
      id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
      object: 'chat.completion',
      created: now(),
      model: prepared.model,
      choices: choices.map((c) => {
        const parsed = active ? parseToolCalls(c.text, known) : { content: c.text, calls: [] };
        const calls = parsed.calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
        return {
          index: c.index,
          message: calls.length ? { role: 'assistant' as const, content: parsed.content || null, refusal: null, tool_calls: calls } : { role: 'assistant' as const, content: c.text, refusal: null },
          logprobs: prepared.options.logprobs ? { content: chatLogprobs(c.tokens, prepared), refusal: null } : null,
          finish_reason: calls.length && c.finishReason === 'stop' ? 'tool_calls' : c.finishReason,
        };
      }),
      usage: usage(prepared, choices),
    };
  }

  private modelParam(model: unknown): string {
    if (typeof model !== 'string' || model.trim() === '') throw new BadInputError('model is required: one of GET /v1/models', { param: 'model' });
    return model;
  }

  private options(body: CompletionRequestDto | ChatCompletionRequestDto): GenerationOptionsInput {
    const { max_tokens, temperature, top_p, top_k, min_p, n, stop, stop_token_ids, ignore_eos, presence_penalty, frequency_penalty, repetition_penalty, seed, logit_bias, do_sample } = body;
    return { max_tokens, temperature, top_p, top_k, min_p, n, stop, stop_token_ids, ignore_eos, presence_penalty, frequency_penalty, repetition_penalty, seed, logit_bias, do_sample };
  }

  private async stream(kind: Kind, prepared: PreparedGeneration, includeUsage: boolean, res: Response, echo: string, tools?: ToolRequest): Promise<void> {
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`;
    const created = now();
    const base = { id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model: prepared.model };
    const sse = new SseWriter(res);
    const completion: number[] = new Array(prepared.streams.length).fill(0);
    if (kind === 'chat') {
      for (let i = 0; i < prepared.streams.length; i++) sse.send({ ...base, choices: [{ index: i, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
    } else if (echo) {
      for (let i = 0; i < prepared.streams.length; i++) sse.send({ ...base, choices: [{ index: i, text: echo, logprobs: null, finish_reason: null }] });
    }
    const known = new Set(tools?.tools.map((t) => t.function.name));
    const parsers = tools ? prepared.streams.map(() => new ToolCallStreamParser(known)) : undefined;
    try {
      for await (const d of mergeChoices(prepared.streams)) {
        if (sse.isClosed) break;
        if (d.error && d.finishReason === 'error') throw d.error;
        if (d.finishReason === 'cancelled') break;
        if (d.completionTokens !== undefined) completion[d.index] = d.completionTokens;
        const logprobs = prepared.options.logprobs && d.token ? (kind === 'chat' ? { content: chatLogprobs([d.token], prepared), refusal: null } : completionLogprobs([d.token], prepared)) : null;
        let finish: string | null = d.finishReason ?? null;
        if (parsers) {
          const parser = parsers[d.index];
          const events = [...parser.push(d.text), ...(d.finishReason ? parser.finish() : [])];
          if (finish === 'stop' && parser.calls > 0) finish = 'tool_calls';
          const deltas = events.map(toolDelta);
          deltas.forEach((delta, i) => sse.send({ ...base, choices: [{ index: d.index, delta, logprobs: i === 0 ? logprobs : null, finish_reason: null }] }));
          if (finish) sse.send({ ...base, choices: [{ index: d.index, delta: {}, logprobs: deltas.length ? null : logprobs, finish_reason: finish }] });
          else if (!deltas.length && logprobs) sse.send({ ...base, choices: [{ index: d.index, delta: {}, logprobs, finish_reason: null }] });
          continue;
        }
        if (!d.text && !d.finishReason && !logprobs) continue;
        sse.send({
          ...base,
          choices: [kind === 'chat' ? { index: d.index, delta: d.text ? { content: d.text } : {}, logprobs, finish_reason: finish } : { index: d.index, text: d.text, logprobs, finish_reason: finish }],
        });
      }
      if (includeUsage && !sse.isClosed) {
        const total = completion.reduce((a, b) => a + b, 0);
        sse.send({ ...base, choices: [], usage: { prompt_tokens: prepared.promptIds.length, completion_tokens: total, total_tokens: prepared.promptIds.length + total } });
      }
      sse.end(true);
    } catch (err) {
      this.logger.error(`Stream ${id} failed: ${(err as Error).message}`);
      sse.send(openAiBody(normalizeError(err)));
      sse.end(true);
    }
  }
}

/** OpenAI's chunk delta for a tool-stream event: a call's index, id and name first, then its argument fragments. */
function toolDelta(e: ReturnType<ToolCallStreamParser['push']>[number]): Record<string, unknown> {
  if (e.type === 'content') return { content: e.text };
  if (e.type === 'call') return { tool_calls: [{ index: e.index, id: e.id, type: 'function', function: { name: e.name, arguments: '' } }] };
  return { tool_calls: [{ index: e.index, function: { arguments: e.text } }] };
}

function usage(prepared: PreparedGeneration, choices: ChoiceResult[]) {
  const completion = choices.reduce((a, c) => a + c.completionTokens, 0);
  return { prompt_tokens: prepared.promptIds.length, completion_tokens: completion, total_tokens: prepared.promptIds.length + completion };
}

/** Legacy completions logprobs: parallel arrays. */
function completionLogprobs(tokens: GeneratedToken[], p: PreparedGeneration) {
  let offset = 0;
  const textOffset: number[] = [];
  const strings = tokens.map((t) => {
    const s = p.tokenText(t.id);
    textOffset.push(offset);
    offset += s.length;
    return s;
  });
  return {
    tokens: strings,
    token_logprobs: tokens.map((t) => t.logprob ?? null),
    top_logprobs: tokens.map((t) => (t.top ? Object.fromEntries(t.top.map((a) => [p.tokenText(a.tokenId), a.logprob])) : null)),
    text_offset: textOffset,
  };
}

/** Chat logprobs: one entry per token with its bytes and alternatives. */
function chatLogprobs(tokens: GeneratedToken[], p: PreparedGeneration) {
  return tokens.map((t) => {
    const token = p.tokenText(t.id);
    return {
      token,
      logprob: t.logprob ?? null,
      bytes: utf8(token),
      top_logprobs: (t.top ?? []).map((a) => {
        const s = p.tokenText(a.tokenId);
        return { token: s, logprob: a.logprob, bytes: utf8(s) };
      }),
    };
  });
}
