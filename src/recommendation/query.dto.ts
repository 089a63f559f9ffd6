import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RecommendedItemDto } from './recommend.dto';

export class RecommendationQueryDto {
  /** What the shopper said, in Chinese or English. @example "我正在浏览T恤衫，请推荐一些" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  text!: string;

  /** Blend in this user's profile (their current history through the active model). @example "alice" */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  userId?: string;

  /** @example 5 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  k?: number;

  /** Leave out items the user has events on (default false: a shopper browsing T-shirts may want the ones they looked at). @example false */
  @IsOptional()
  @IsBoolean()
  excludeSeen?: boolean;
}

export class MatchedWordDto {
  /** The word as found (NLU entity text, or the catalog name). @example "T恤衫" */
  text!: string;
  @ApiProperty({ enum: ['category', 'product', 'title-word'], example: 'title-word', description: 'category: filters to it; product: a named item whose neighbours are recommended (it is left out); title-word: scores the items whose titles hold it' })
  kind!: string;
  @ApiPropertyOptional({ example: 't-shirts' })
  category?: string;
  /** Items the word names. @example ["tshirt-a", "tshirt-b", "tshirt-c"] */
  items!: string[];
  @ApiProperty({ enum: ['nlu', 'catalog'], example: 'catalog', description: "nlu: an entity of the project's NLU model; catalog: a catalog name found in the text" })
  via!: string;
}

export class QueryItemDto extends RecommendedItemDto {
  /** The matched words that name this item or its category. @example ["T恤衫"] */
  matched!: string[];
}

export class QueryRecommendationsDto {
  /** @example "我正在浏览T恤衫，请推荐一些" */
  text!: string;
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'alice' })
  userId!: string | null;
  /** Whether the user's history took part (source profile). @example false */
  personalized!: boolean;
  @ApiProperty({ enum: ['used', 'unavailable'], example: 'used', description: 'unavailable: the project has no NLU model (or it is loading), so only catalog names in the text and content similarity were used' })
  nlu!: string;
  matched!: MatchedWordDto[];
  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 3 })
  modelVersion!: number | null;
  /** Sources: text (matched words), content (embedding similarity), similar (neighbours of named products), profile, popularity. */
  items!: QueryItemDto[];
}
