import { Injectable } from '@nestjs/common';
import { BadInputError } from '../common/errors';
import { AppConfig, settingNumber } from '../config/app-config';
import { toBase64 } from './core/vectors';
import { EmbeddingRequestDto, EmbeddingResponseDto } from './embeddings.dto';
import { EmbedResult, EmbeddingsService } from './embeddings.service';

type Input = { texts: string[] } | { tokens: number[][] };

/** OpenAI's /v1/embeddings on top of EmbeddingsService: request checks with OpenAI's `param`, response shape, base64. */
@Injectable()
export class OpenAiEmbeddingsService {
  constructor(
    private readonly embeddings: EmbeddingsService,
    private readonly config: AppConfig,
  ) {}

  async create(body: EmbeddingRequestDto, project: string): Promise<EmbeddingResponseDto> {
    if (typeof body.model !== 'string' || body.model.trim() === '') throw new BadInputError(`model is required: ${this.embeddings.encoders().map((e) => e.id).join(', ')}`, { param: 'model' });
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') throw new BadInputError(`encoding_format must be float or base64 (got ${JSON.stringify(format)})`, { param: 'encoding_format' });
    const kind = body.input_type ?? undefined;
    if (kind !== undefined && kind !== 'query' && kind !== 'passage') throw new BadInputError(`input_type must be query or passage (got ${JSON.stringify(kind)})`, { param: 'input_type' });
    const dimensions = body.dimensions ?? undefined;
    const input = this.parseInput(body.input);
    const options = { model: body.model, dimensions, project };
    const result = 'texts' in input ? await this.embeddings.embed(input.texts, { ...options, kind }) : await this.embeddings.embedTokens(input.tokens, options);
    return this.response(result, format);
  }

  private parseInput(input: unknown): Input {
    const max = settingNumber(this.config, 'EMBEDDINGS_MAX_INPUTS');
    const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'number');
    let out: Input;
    if (typeof input === 'string') out = { texts: [input] };
    else if (!Array.isArray(input)) throw new BadInputError('input is required: a string, an array of strings, an array of token ids or an array of token-id arrays', { param: 'input' });
    else if (input.length === 0) throw new BadInputError('input is empty: send at least one text', { param: 'input' });
    else if (input.every((v) => typeof v === 'string')) out = { texts: input as string[] };
    else if (isTokens(input)) out = { tokens: [input] };
    else if (input.every(isTokens)) out = { tokens: input as number[][] };
    else throw new BadInputError('input must be a string, an array of strings, an array of token ids or an array of non-empty token-id arrays, not a mix', { param: 'input' });
    const n = 'texts' in out ? out.texts.length : out.tokens.length;
    if (n > max) throw new BadInputError(`input has ${n} items; at most ${max} per request (EMBEDDINGS_MAX_INPUTS)`, { param: 'input' });
    if ('texts' in out) {
      const empty = out.texts.findIndex((t) => t.trim() === '');
      if (empty >= 0) throw new BadInputError(`input[${empty}] is empty: every text needs at least one non-space character`, { param: 'input' });
    }
    return out;
  }

  private response(r: EmbedResult, format: 'float' | 'base64'): EmbeddingResponseDto {
    return {
      object: 'list',
      data: r.vectors.map((v, index) => ({ object: 'embedding', index, embedding: format === 'base64' ? toBase64(v) : Array.from(v) })),
      model: r.model,
      usage: { prompt_tokens: r.tokens, total_tokens: r.tokens },
      truncated: r.truncated,
      max_tokens: r.maxTokens,
    };
  }
}
