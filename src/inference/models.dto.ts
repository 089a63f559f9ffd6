import { ApiProperty } from '@nestjs/swagger';

export class IoInfoDto {
  /** @example "input_ids" */
  name!: string;
  /** @example "int64" */
  type!: string;
  /** Dimensions; strings are symbolic (dynamic) dimensions. */
  @ApiProperty({ type: 'array', items: { oneOf: [{ type: 'number' }, { type: 'string' }] }, example: ['batch_size', 'sequence_length'] })
  shape!: (number | string)[];
}

export class ProviderFallbackDto {
  /** @example "cuda" */
  provider!: string;
  /** @example "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library" */
  reason!: string;
}

export class BatchingDto {
  enabled!: boolean;
  /** @example 32 */
  maxBatchSize!: number;
  /** @example 2 */
  maxQueueDelayMs!: number;
  /** @example 1024 */
  maxQueueSize!: number;
}

export class ModelStatsDto {
  /** Requests waiting now. @example 0 */
  queueDepth!: number;
  /** Rows running now. @example 0 */
  inFlight!: number;
  /** Requests answered since load. @example 1520 */
  completed!: number;
  /** Model runs since load. @example 97 */
  batches!: number;
  /** completed / batches. @example 15.67 */
  averageBatchSize!: number;
}

export class ModelStatusDto {
  /** @example "tiny-bert" */
  id!: string;
  /** @example "feature-extraction" */
  task!: string;
  /** store: a folder of models/; builtin: built by LLM OS (e.g. the NLU classifier) */
  @ApiProperty({ enum: ['store', 'builtin'] })
  source!: 'store' | 'builtin';
  /** The project a built-in model belongs to (a project's NLU model); absent for models every project shares. @example "shop-support" */
  project?: string;
  @ApiProperty({ enum: ['unloaded', 'loading', 'ready', 'unloading', 'failed'], example: 'ready' })
  state!: string;
  /** The execution provider actually used. @example "cpu" */
  provider?: string;
  /** Providers asked for, in order. @example ["cuda","cpu"] */
  requestedProviders!: string[];
  /** Providers that could not load, and why. */
  fallbacks!: ProviderFallbackDto[];
  /** @example 1 */
  replicas!: number;
  inputs!: IoInfoDto[];
  outputs!: IoInfoDto[];
  batching!: BatchingDto;
  loadedAt?: Date;
  /** @example 184 */
  loadMs?: number;
  /** Why the last load failed. */
  error?: string;
  stats!: ModelStatsDto;
}

export class ModelDetailDto extends ModelStatusDto {
  /** Files of the model folder. @example ["config.json","onnx/model.onnx","tokenizer.json","tokenizer_config.json"] */
  files!: string[];
  /** Summary of config.json (architecture, sizes). @example {"model_type":"bert","hidden_size":768} */
  config?: Record<string, unknown>;
}

export class ModelProblemDto {
  /** @example "broken-model" */
  id!: string;
  /** The file at fault. @example "broken-model/config.json" */
  file!: string;
  /** @example "config.json is not valid JSON: Unexpected token } in JSON at position 12" */
  message!: string;
}

export class ModelListDto {
  models!: ModelStatusDto[];
  /** Folders of the model store that could not be used, each naming the file at fault. */
  invalid!: ModelProblemDto[];
}
