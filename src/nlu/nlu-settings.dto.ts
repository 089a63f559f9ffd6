/**
 * DTOs of GET/PUT /api/v1/nlu/settings: which built-in extractors and bundled gazetteers run
 * and the entity names they report (src/nlu/entities/entity-settings.ts has the rules).
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { BUILTIN_ENTITY_TYPES, BUNDLED_GAZETTEERS } from './entities/entity-settings';
import { NAME_PATTERN } from './formats/validation';

const TOGGLES = [true, false, 'auto'] as const;
const ENABLED_DOC = 'true: on; false: off; "auto": on when the training data uses the entity name (an example annotates it or a lookup table carries it).';

export class EntitySourceInputDto {
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['auto'] }], description: ENABLED_DOC, example: true })
  @IsOptional()
  @IsIn(TOGGLES, { message: 'enabled must be true, false or "auto"' })
  enabled?: boolean | 'auto';

  @ApiPropertyOptional({
    description: 'The entity name its matches are reported under: one of your own types (party_size, 人数; a trained tagger span of that name inside a match then wins and the resolved value stays), or the built-in name.',
    example: 'party_size',
  })
  @IsOptional()
  @IsString()
  @Matches(NAME_PATTERN, { message: 'entity must start with a letter or digit and hold at most 64 letters, digits, marks, _, . or -' })
  entity?: string;
}

export class BuiltinSettingsInputDto {
  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Numbers: 1,234.5 · 一百二十 · twenty-one.', example: { enabled: true, entity: 'party_size' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  number?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'A number with a measure word: 三本 · 两件 · 5 pieces. Default "auto": on when the data labels its entity (the bundled shop data does).', example: { enabled: true, entity: 'amount' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  quantity?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Money: 100元 · ¥100 · $5 · 5 dollars.', example: { enabled: true, entity: 'budget' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  price?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Days: 今天 · 下周一 · 3月5日 · next Monday.', example: { enabled: true, entity: 'day' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  date?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'A day and a time: 明天下午3点 · tomorrow at 7:30 am.', example: { enabled: true, entity: 'time' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  datetime?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Spans of days: 本周末 · 下个月 · this weekend.', example: { enabled: true, entity: 'period' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  date_range?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Spans of hours: 今晚 · 明天下午 · tonight.', example: { enabled: true, entity: 'time_window' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  datetime_range?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Phone numbers, as E.164.', example: { enabled: true, entity: 'contact_phone' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  phone?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'E-mail addresses.', example: { enabled: true, entity: 'contact_email' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  email?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Web addresses.', example: { enabled: true, entity: 'link' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  url?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Titles in 《》 marks (the inner text). Default "auto", named book_title like the bundled data.', example: { enabled: true, entity: 'song' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  title?: EntitySourceInputDto;
}

export class GazetteerSettingsInputDto {
  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Bundled cities (297 Chinese, 195 world, in Chinese and English).', example: { enabled: true, entity: 'location' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  city?: EntitySourceInputDto;

  @ApiPropertyOptional({ type: () => EntitySourceInputDto, description: 'Bundled shop product categories (T恤, 小说, table). Default "auto": on when the data labels its entity, so they go when your own data replaces the bundled data.', example: { enabled: true, entity: 'product_type' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => EntitySourceInputDto)
  category?: EntitySourceInputDto;
}

/** PUT body: the settings as a whole; what is left out takes its default. */
export class NluSettingsInputDto {
  @ApiPropertyOptional({ type: () => BuiltinSettingsInputDto, description: 'Built-in extractors, by the entity type they yield.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BuiltinSettingsInputDto)
  builtins?: BuiltinSettingsInputDto;

  @ApiPropertyOptional({ type: () => GazetteerSettingsInputDto, description: 'Gazetteers bundled with the server.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => GazetteerSettingsInputDto)
  gazetteers?: GazetteerSettingsInputDto;
}

export class EntitySourceDto {
  @ApiProperty({ oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['auto'] }], description: ENABLED_DOC, example: 'auto' })
  enabled!: boolean | 'auto';
  @ApiProperty({ description: 'The entity name its matches are reported under (party_size, 人数, or the built-in name).', example: 'party_size' })
  entity!: string;
}

export class BuiltinSettingsDto {
  @ApiProperty({ type: () => EntitySourceDto, description: 'Numbers: 1,234.5 · 一百二十 · twenty-one.' })
  number!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'A number with a measure word: 三本 · 两件 · 5 pieces. Default "auto": on when the data labels its entity (the bundled shop data does).' })
  quantity!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Money: 100元 · ¥100 · $5 · 5 dollars.' })
  price!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Days: 今天 · 下周一 · 3月5日 · next Monday.' })
  date!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'A day and a time: 明天下午3点 · tomorrow at 7:30 am.' })
  datetime!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Spans of days: 本周末 · 下个月 · this weekend.' })
  date_range!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Spans of hours: 今晚 · 明天下午 · tonight.' })
  datetime_range!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Phone numbers, as E.164.' })
  phone!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'E-mail addresses.' })
  email!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Web addresses.' })
  url!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Titles in 《》 marks (the inner text). Default "auto", named book_title like the bundled data.' })
  title!: EntitySourceDto;
}

export class GazetteerSettingsDto {
  @ApiProperty({ type: () => EntitySourceDto, description: 'Bundled cities (297 Chinese, 195 world, in Chinese and English).' })
  city!: EntitySourceDto;

  @ApiProperty({ type: () => EntitySourceDto, description: 'Bundled shop product categories (T恤, 小说, table). Default "auto": on when the data labels its entity, so they go when your own data replaces the bundled data.' })
  category!: EntitySourceDto;
}

export class ActiveEntitySourcesDto {
  @ApiProperty({ enum: BUILTIN_ENTITY_TYPES, isArray: true, description: 'Built-ins running now ("auto" resolved against the stored data).', example: ['number', 'price', 'date', 'datetime', 'date_range', 'datetime_range', 'phone', 'email', 'url'] })
  builtins!: string[];
  @ApiProperty({ enum: BUNDLED_GAZETTEERS, isArray: true, description: 'Bundled gazetteers running now.', example: ['city'] })
  gazetteers!: string[];
}

export class NluSettingsDto {
  @ApiProperty({ type: () => BuiltinSettingsDto })
  builtins!: BuiltinSettingsDto;
  @ApiProperty({ type: () => GazetteerSettingsDto })
  gazetteers!: GazetteerSettingsDto;
  @ApiProperty({ type: () => ActiveEntitySourcesDto, description: 'What runs now.' })
  active!: ActiveEntitySourcesDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the settings were last changed; null while they are the defaults.', example: '2026-12-01T09:30:00.000Z' })
  updatedAt!: string | null;
}
