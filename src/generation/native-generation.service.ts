import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { BadInputError } from '../common/errors';
import { normalizeError, nativeBody } from '../common/error-shape';
import { SseWriter } from '../common/sse';
import { GenerateRequestDto, GenerateResponseDto, GenerationStatsDto } from './generation.dto';
import { GenerationService } from './generation.service';
import { parseResponseFormat } from './structured/output-format';
import { collectChoice, mergeChoices } from './results';

/** The native /api/v1/generation surface: the same engine, LLM OS's own response shape. */
@Injectable()
export class NativeGenerationService {
  constructor(private readonly generation: GenerationService) {}

  async generate(body: GenerateRequestDto, projectId: string, signal: AbortSignal, res: Response): Promise<GenerateResponseDto | void> {
    if ((body.prompt === undefined) === (body.messages === undefined)) throw new BadInputError('Give exactly one of prompt or messages', { param: 'prompt' });
    if (body.prompt !== undefined && typeof body.prompt !== 'string') throw new BadInputError('prompt must be a string', { param: 'prompt' });
    const { model, prompt, messages, stream, stream_options: _s, user: _u, response_format, ...options } = body;
    const prepared = await this.generation.start({ model, prompt, messages, options, output: parseResponseFormat(response_format), signal, projectId });
    if (stream) {
      const sse = new SseWriter(res);
      try {
        for await (const d of mergeChoices(prepared.streams)) {
          if (sse.isClosed || d.finishReason === 'cancelled') break;
          if (d.finishReason === 'error') throw d.error;
          if (!d.text && !d.finishReason) continue;
          sse.send({ index: d.index, text: d.text, ...(d.finishReason ? { finishReason: d.finishReason, completionTokens: d.completionTokens } : {}) });
        }
        sse.end(true);
      } catch (err) {
        sse.send(nativeBody(normalizeError(err), (res.req as { id?: string }).id ?? 'unknown'));
        sse.end(true);
      }
      return;
    }
    const choices = await Promise.all(prepared.streams.map((s, i) => collectChoice(i, s)));
    return {
      model: prepared.model,
      choices: choices.map((c) => ({
        index: c.index,
        text: c.text,
        finishReason: c.finishReason,
        ...(prepared.options.logprobs ? { tokens: c.tokens.map((t) => ({ id: t.id, text: prepared.tokenText(t.id), logprob: t.logprob })) } : {}),
      })),
      usage: { promptTokens: prepared.promptIds.length, completionTokens: choices.reduce((a, c) => a + c.completionTokens, 0) },
    };
  }

  async stats(model?: string): Promise<GenerationStatsDto> {
    const id = this.generation.resolveModel(model);
    return { model: id, ...(await this.generation.stats(id)) };
  }
}
