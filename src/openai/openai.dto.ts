import { ApiProperty } from '@nestjs/swagger';

export class OpenAiModelDto {
  /** @example "gpt2" */
  id!: string;
  @ApiProperty({ enum: ['model'] })
  object!: 'model';
  /** Unix seconds when the model was loaded (or found). @example 1764288000 */
  created!: number;
  /** @example "llm-os" */
  owned_by!: string;
}

export class OpenAiModelListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';
  data!: OpenAiModelDto[];
}

export class OpenAiErrorDetailDto {
  /** @example "The model `gpt-5` does not exist" */
  message!: string;
  /** @example "invalid_request_error" */
  type!: string;
  /** @example "model" */
  param!: string | null;
  /** @example "not_found" */
  code!: string | null;
}

/** OpenAI's error body, used on every /v1 route. */
export class OpenAiErrorDto {
  error!: OpenAiErrorDetailDto;
}
