import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export const ITEM_ID = /^[^\p{Cc}]{1,200}$/u;

export class ItemBodyDto {
  /** @example "斗破苍穹" */
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  title!: string;

  /** @example "books" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  category?: string;

  /** @example ["fantasy", "web-novels"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  subCategories?: string[];

  /** @example ["玄幻", "bestseller"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tags?: string[];

  /** @example 100 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  price?: number;

  /** ISO 4217. @example "CNY" */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be a three-letter ISO 4217 code such as CNY or USD' })
  currency?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { author: '天蚕土豆', language: 'zh' } })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;

  /** Used for content similarity (new items). @example "少年萧炎的逆袭之路，玄幻小说。" */
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  description?: string;

  /** Unavailable items are never recommended. @example true */
  @IsOptional()
  @IsBoolean()
  available?: boolean;
}

export class ItemInputDto extends ItemBodyDto {
  /** The caller's id, unique in the project. @example "book-doupo" */
  @IsString()
  @Matches(ITEM_ID, { message: 'id must be 1 to 200 characters without control characters' })
  id!: string;
}

export class UpsertItemsDto {
  /** Up to 10000 items, written in one transaction; an existing id is replaced. */
  @ApiProperty({
    type: [ItemInputDto],
    example: [
      { id: 'book-doupo', title: '斗破苍穹', category: 'books', price: 100, currency: 'CNY', tags: ['玄幻'] },
      { id: 'tshirt-a', title: 'T恤衫A (T-shirt A)', category: 'clothing', subCategories: ['t-shirts'], price: 59, currency: 'CNY' },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ItemInputDto)
  items!: ItemInputDto[];
}

export class UpsertItemsResultDto {
  /** @example ["tshirt-a"] */
  created!: string[];
  /** @example ["book-doupo"] */
  updated!: string[];
}

export class ItemDto {
  /** @example "book-doupo" */
  id!: string;
  /** @example "斗破苍穹" */
  title!: string;
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'books' })
  category!: string | null;
  /** @example ["fantasy"] */
  subCategories!: string[];
  /** @example ["玄幻"] */
  tags!: string[];
  @ApiPropertyOptional({ type: 'number', nullable: true, example: 100 })
  price!: number | null;
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'CNY' })
  currency!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { author: '天蚕土豆' } })
  attributes!: Record<string, unknown>;
  /** @example "少年萧炎的逆袭之路，玄幻小说。" */
  description!: string;
  /** @example true */
  available!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ItemListDto {
  items!: ItemDto[];
  /** @example 42 */
  total!: number;
}

export class ItemListQueryDto {
  /** Items whose category or one of its sub-categories is this. @example "books" */
  @IsOptional()
  @IsString()
  category?: string;

  /** @example 50 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  /** @example 0 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
