import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';

export const TENSOR_TYPES = ['float32', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool'] as const;

export class TensorDto {
  /** Element type. @example "int64" */
  @IsIn(TENSOR_TYPES)
  type!: (typeof TENSOR_TYPES)[number];

  /** Dimensions, batch first. @example [1, 4] */
  @IsArray()
  @ArrayMinSize(0)
  @ArrayMaxSize(8)
  @IsInt({ each: true })
  @Min(0, { each: true })
  dims!: number[];

  /** Values in row-major order; as many as the product of dims. @example [0, 17, 42, 511] */
  @IsArray()
  @ArrayMaxSize(4_000_000)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  data!: number[];
}

@ApiExtraModels(TensorDto)
export class InferRequestDto {
  /**
   * Input tensors by input name (see GET /api/v1/models/{id} for names and shapes).
   * @example {"input_ids":{"type":"int64","dims":[1,4],"data":[0,17,42,511]},"attention_mask":{"type":"int64","dims":[1,4],"data":[1,1,1,1]},"token_type_ids":{"type":"int64","dims":[1,4],"data":[0,0,0,0]}}
   */
  @IsObject()
  // Each tensor is checked by InferService (class-validator cannot walk a map's values).
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(TensorDto) } })
  inputs!: Record<string, TensorDto>;

  /** Only return these outputs (default: all). @example ["last_hidden_state"] */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  outputs?: string[];

  /** Deadline including queue wait, in ms (default: the model's timeoutMs). @example 5000 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  timeoutMs?: number;

  /** Queue priority. */
  @IsOptional()
  @IsIn(['high', 'normal', 'low'])
  @ApiPropertyOptional({ enum: ['high', 'normal', 'low'], example: 'normal' })
  priority?: 'high' | 'normal' | 'low';
}

@ApiExtraModels(TensorDto)
export class InferResponseDto {
  /** @example "tiny-bert" */
  model!: string;
  /** Output tensors by name. @example {"last_hidden_state":{"type":"float32","dims":[1,4,2],"data":[0.12,-0.53,0.31,0.07,-0.22,0.45,0.18,-0.09]}} */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(TensorDto) } })
  outputs!: Record<string, TensorDto>;
  /** Time from arrival to answer, ms. @example 3.4 */
  elapsedMs!: number;
}
