import { OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class ProjectQuotasDto {
  /**
   * Requests per minute for all of the project's callers together; over it, 429 with Retry-After. null or absent: unlimited.
   * @example 600
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  requestsPerMinute?: number | null;

  /**
   * Tokens generated per UTC day (completions, chat, generate); once reached, generation answers 429 until midnight UTC. null or absent: unlimited.
   * @example 200000
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000_000)
  generatedTokensPerDay?: number | null;
}

export class CreateProjectDto {
  /**
   * The project's id: a slug, used in URLs, keys and the X-LLMOS-Project header. Cannot change later.
   * @example "shop-support"
   */
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'id must be a slug: lowercase letters, digits and -, starting with a letter or digit, at most 64' })
  id!: string;

  /**
   * A name for people (defaults to the id).
   * @example "商城客服 / Shop customer service"
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /** Free-form settings of the application (JSON object). @example {"locale":"zh-CN"} */
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProjectQuotasDto)
  quotas?: ProjectQuotasDto;
}

/** Name, settings (replaced) and quotas (merged key by key; a null removes that quota); the id cannot change. */
export class UpdateProjectDto extends PartialType(OmitType(CreateProjectDto, ['id'] as const)) {}

export class ProjectDto {
  /** @example "shop-support" */
  id!: string;
  /** @example "商城客服 / Shop customer service" */
  name!: string;
  /** @example {"locale":"zh-CN"} */
  settings!: Record<string, unknown>;
  quotas!: ProjectQuotasDto;
  createdAt!: Date;
  updatedAt!: Date;
}

export class DeletedProjectDto {
  /** @example "shop-support" */
  id!: string;
  /** Rows deleted with the project, per table. @example {"nlu_examples":120,"nlu_models":2,"api_keys":1} */
  deleted!: Record<string, number>;
}

export class DeleteProjectQueryDto {
  /**
   * Delete the project even though it still has data: every row of it goes, in one transaction.
   * @example false
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}
