import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

const LANGS = ['zh', 'en', 'other'] as const;

export class ParseRequestDto {
  /** The utterance; empty or whitespace-only text is refused (400). @example "今天的天气怎么样？" */
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @Matches(/\S/, { message: 'text must contain a non-whitespace character' })
  text!: string;

  /** Skip language detection. */
  @IsOptional()
  @IsIn(LANGS)
  @ApiPropertyOptional({ enum: LANGS, example: 'zh' })
  lang?: (typeof LANGS)[number];

  /** Out-of-scope threshold for this request instead of the model's: a top intent less confident than this is answered out_of_scope. 0 accepts every intent. @example 0.5 */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minConfidence?: number;
}

export class ParseBatchRequestDto {
  /** Up to 64 utterances, parsed with one model run. */
  @ApiProperty({ example: ['我要订购一本小说', "What's the weather in Paris tomorrow?"] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(1000, { each: true })
  @Matches(/\S/, { each: true, message: 'each of texts must contain a non-whitespace character' })
  texts!: string[];

  @IsOptional()
  @IsIn(LANGS)
  @ApiPropertyOptional({ enum: LANGS })
  lang?: (typeof LANGS)[number];

  /** Out-of-scope threshold for these texts instead of the model's (see ParseRequestDto). @example 0.5 */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minConfidence?: number;
}

export class IntentDto {
  /** @example "weather_query" */
  name!: string;
  /** @example 0.97 */
  confidence!: number;
}

export class EntityDto {
  /** @example "date" */
  entity!: string;
  /** Canonical or resolved value: a string, a number, an ISO date, { amount, currency }, ... @example "2026-11-28" */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'object' }], example: '2026-11-28' })
  value!: unknown;
  /** The exact surface text. @example "今天" */
  text!: string;
  /** UTF-16 offset, inclusive. @example 0 */
  start!: number;
  /** UTF-16 offset, exclusive. @example 2 */
  end!: number;
  /** @example 0.95 */
  confidence!: number;
  /** builtin, regex, lookup, tagger or a model id. @example "builtin" */
  extractor!: string;
}

export class ParseResultDto {
  /** @example "今天的天气怎么样？" */
  text!: string;
  @ApiProperty({ enum: LANGS, example: 'zh' })
  language!: string;
  intent!: IntentDto;
  /** The top 5 intents. */
  intentRanking!: IntentDto[];
  entities!: EntityDto[];
  /** The explicit out_of_scope intent won, or the top confidence is below the calibrated threshold. @example false */
  outOfScope!: boolean;
  /** The confidence threshold this answer used: the request's minConfidence, else the served model's calibrated or configured one. @example 0.31 */
  threshold!: number;
  /** @example 3 */
  modelVersion!: number;
}

export class EntityAnnotationDto {
  /** @example "category" */
  @IsString()
  @MinLength(1)
  entity!: string;
  /** @example 4 */
  @IsInt()
  @Min(0)
  start!: number;
  /** @example 6 */
  @IsInt()
  @Min(1)
  end!: number;
  /** Canonical value when it differs from the text. @example "novel" */
  @IsOptional()
  @IsString()
  value?: string;
  @IsOptional()
  @IsString()
  role?: string;
}

export class ExampleInputDto {
  /** @example "我要订购一本小说" */
  @IsString()
  text!: string;
  /** @example "order_product" */
  @IsString()
  intent!: string;
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EntityAnnotationDto)
  entities?: EntityAnnotationDto[];
  @IsOptional()
  @IsIn(LANGS)
  @ApiPropertyOptional({ enum: LANGS })
  lang?: (typeof LANGS)[number];
}

export class ExampleDto {
  /** @example "5f0c1d8e-8a43-4c4e-9a59-1f2b3c4d5e6f" */
  id!: string;
  /** @example "我要订购一本小说" */
  text!: string;
  /** @example "order_product" */
  intent!: string;
  entities!: EntityAnnotationDto[];
  /** @example "zh" */
  lang!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ExamplePageDto {
  items!: ExampleDto[];
  /** @example 1320 */
  total!: number;
  /** @example 50 */
  limit!: number;
  /** @example 0 */
  offset!: number;
}

export class ExampleQueryDto {
  @IsOptional() @IsString() intent?: string;
  @IsOptional() @IsIn(LANGS) lang?: string;
  /** Substring search in the text. */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}

export class IntentSummaryDto {
  /** @example "weather_query" */
  intent!: string;
  /** @example 103 */
  examples!: number;
  /** @example 52 */
  zh!: number;
  /** @example 51 */
  en!: number;
}

export class LookupInputDto {
  /** @example ["斗破苍穹", "三体", "The Three-Body Problem"] */
  @IsArray() @ArrayMaxSize(100000) @IsString({ each: true }) elements!: string[];
}

export class SynonymInputDto {
  /** @example ["上海", "沪", "魔都"] */
  @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) synonyms!: string[];
}

export class RegexInputDto {
  /** @example ["\\bORD-\\d{6}\\b"] */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) patterns!: string[];
}

export class LookupDto {
  /** @example "book_title" */ name!: string;
  elements!: string[];
}
export class SynonymDto {
  /** @example "Shanghai" */ value!: string;
  synonyms!: string[];
}
export class RegexDto {
  /** @example "order_id" */ name!: string;
  patterns!: string[];
}

const DATA_FORMATS = ['rasa-yaml', 'json', 'ndjson'] as const;
const IMPORT_MODES = ['merge', 'replace'] as const;

export class ImportRequestDto {
  /** rasa-yaml: Rasa's NLU YAML (`[text](entity)` markup, lookups, synonyms, regexes); json: a list of {text, intent, entities[]} or {examples, lookups, synonyms, regexes}; ndjson: one JSON object per line. */
  @IsIn(DATA_FORMATS)
  @ApiProperty({ enum: DATA_FORMATS, example: 'rasa-yaml' })
  format!: (typeof DATA_FORMATS)[number];

  /** The file: YAML or NDJSON text; for json a JSON value (or its text). @example "version: \"3.1\"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n    - hello there\n" */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }, { type: 'object' }] })
  @IsOptional()
  content!: unknown;

  /** merge (default) upserts; replace empties the training data first. All in one transaction. */
  @IsOptional()
  @IsIn(IMPORT_MODES)
  @ApiPropertyOptional({ enum: IMPORT_MODES, example: 'merge' })
  mode?: (typeof IMPORT_MODES)[number];
}

export class ImportFileQueryDto {
  /** The file's format; by default taken from the Content-Type (application/x-ndjson, application/yaml or text/yaml, application/json). */
  @IsOptional()
  @IsIn(DATA_FORMATS)
  @ApiPropertyOptional({ enum: DATA_FORMATS, example: 'ndjson' })
  format?: (typeof DATA_FORMATS)[number];

  /** merge (default) upserts; replace empties the training data first. All in one transaction. */
  @IsOptional()
  @IsIn(IMPORT_MODES)
  @ApiPropertyOptional({ enum: IMPORT_MODES, example: 'replace' })
  mode?: (typeof IMPORT_MODES)[number];
}

export class ExportQueryDto {
  /** rasa-yaml (default), json or ndjson. */
  @IsOptional()
  @IsIn(DATA_FORMATS)
  @ApiPropertyOptional({ enum: DATA_FORMATS, example: 'rasa-yaml' })
  format?: (typeof DATA_FORMATS)[number];

  /** true: the bare file (application/yaml, application/json or application/x-ndjson, as an attachment), ready for POST /nlu/import/file; false (default): the JSON envelope { format, content }. */
  @IsOptional()
  @IsIn(['true', 'false'])
  @ApiPropertyOptional({ enum: ['true', 'false'], example: 'false' })
  file?: 'true' | 'false';
}

export class ImportCountsDto {
  /** @example 120 */ examples!: number;
  /** @example 2 */ lookups!: number;
  /** @example 5 */ synonyms!: number;
  /** @example 1 */ regexes!: number;
}

export class ImportResultDto {
  @ApiProperty({ enum: IMPORT_MODES }) mode!: string;
  imported!: ImportCountsDto;
  /** Repeated examples (same text, intent and entities) stored once; a text repeated with another intent is a 400 instead. @example 3 */
  duplicatesMerged!: number;
  /** Example texts whose leading/trailing whitespace or line breaks were normalized (entity offsets moved with them). @example 12 */
  textsNormalized!: number;
}

export class TrainJobDto {
  /** Same as version. @example 4 */
  jobId!: number;
  /** @example 4 */
  version!: number;
  @ApiProperty({ enum: ['training', 'ready', 'failed'] })
  status!: string;
  /** Serving now. */
  active!: boolean;
  /** Examples trained on. @example 1320 */
  examples!: number;
  /** Live progress while training: phase, epoch/epochs, trainLoss, valAccuracy. @example {"phase":"intent","epoch":7,"epochs":40,"trainLoss":0.21,"valAccuracy":0.93} */
  progress!: Record<string, unknown> | null;
  /** Validation accuracy, macro-F1, per-intent scores, confusion matrix, entity scores, timings. */
  metrics!: Record<string, unknown> | null;
  /** The out-of-scope threshold this version serves with (null until trained). @example 0.31 */
  threshold!: number | null;
  /** How the threshold was set (setting, objective, method) and the held-out figures at it: top-1 vs served in-scope accuracy, out-of-scope recall. @example {"threshold":0.31,"setting":"auto","objective":"balanced","method":"in_scope","topOneAccuracy":0.91,"inScopeAccuracy":0.908,"outOfScopeRecall":null} */
  calibration!: Record<string, unknown> | null;
  /** The training options the run was started with (POST /nlu/train body). @example {"threshold":"auto","seed":42} */
  options!: Record<string, unknown> | null;
  error!: string | null;
  /** Why a finished run is not serving: it was started with activate: false, or a version was activated explicitly after it started (an explicit activation wins). @example "Not activated: version 1 was activated explicitly after this run started, and an explicit activation wins over a run that finishes later; POST /api/v1/nlu/models/2/activate serves it" */
  note!: string | null;
  createdAt!: Date;
  finishedAt!: Date | null;
}

export class EvaluateRequestDto {
  /** holdout: train on a stratified split, test on the rest; kfold: k models, every example tested once. */
  @IsOptional()
  @IsIn(['holdout', 'kfold'])
  @ApiPropertyOptional({ enum: ['holdout', 'kfold'], example: 'holdout' })
  mode?: 'holdout' | 'kfold';
  /** Share held out (holdout). @example 0.2 */
  @IsOptional() @IsNumber() @Min(0.05) @Max(0.5) testFraction?: number;
  /** Folds (kfold). @example 5 */
  @IsOptional() @IsInt() @Min(2) @Max(10) folds?: number;
  /** @example 42 */
  @IsOptional() @IsInt() seed?: number;
}

export class EvaluationReportDto {
  /** @example 264 */ examples!: number;
  /** @example 0.93 */ accuracy!: number;
  /** @example 0.92 */ macroF1!: number;
  /** Precision, recall, F1 and support per intent. */
  perIntent!: Record<string, unknown>;
  /** labels and matrix[gold][predicted]. */
  confusion!: Record<string, unknown>;
  /** Recall of out_of_scope examples, null without any. @example 0.9 */
  outOfScopeRecall!: number | null;
  /** Exact-span entity precision/recall/F1 per type and overall. */
  entities!: Record<string, unknown>;
  /** Per-fold scores (kfold). */
  folds?: Record<string, number>[];
}

export class DeletedDto {
  /** @example 52 */ deleted!: number;
}
