import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { sampleError } from '../common/api-errors.decorator';
import { normalizeError, openAiBody } from '../common/error-shape';
import { NotFoundError, OverloadedError } from '../common/errors';
import { GenerationOptionsError } from '../generation/core/errors';
import { OpenAiErrorDto } from './openai.dto';

/** Typical errors of the /v1 routes where they differ from the native API's (404s here are about models). */
const OPENAI_SAMPLES: Record<number, () => unknown> = {
  400: () => new GenerationOptionsError('top_p', 'top_p must be a number greater than 0 and at most 1, got 0'),
  404: () => new NotFoundError('The model `gpt-5` does not exist', { param: 'model' }),
  503: () => new OverloadedError('Generation model tiny-gpt2 has 64 requests waiting (limit 64); retry shortly', 2),
};

/** What a `/v1/*` route answers for a typical error of `status` (OpenAI's shape, through the real mapping). */
export function openAiErrorExample(status: number): ReturnType<typeof openAiBody> {
  return openAiBody(normalizeError(sampleError(status, OPENAI_SAMPLES)));
}

/** Documents error responses of a `/v1/*` route in OpenAI's error shape, each with an example of its status. */
export function ApiOpenAiErrors(descriptions: Record<number, string>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(descriptions).map(([code, description]) => {
      const status = Number(code);
      return ApiResponse({ status, description, type: OpenAiErrorDto, example: openAiErrorExample(status) });
    }),
  );
}
