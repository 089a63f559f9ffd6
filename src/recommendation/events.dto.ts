import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsISO8601, IsNumber, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { EVENT_TYPES, EventType } from './algorithms/types';
import { ITEM_ID } from './items.dto';

export class EventDto {
  /** Makes the event idempotent: an id already stored is ignored (and counted as a duplicate). Without one, the server assigns a fresh id. @example "evt-20250601-000123" */
  @IsOptional()
  @IsString()
  @Matches(ITEM_ID, { message: 'id must be 1 to 200 characters without control characters' })
  id?: string;

  /** Created on first sight. @example "alice" */
  @IsString()
  @Matches(ITEM_ID, { message: 'userId must be 1 to 200 characters without control characters' })
  userId!: string;

  /** Must be in the catalog. @example "book-doupo" */
  @IsString()
  @Matches(ITEM_ID, { message: 'itemId must be 1 to 200 characters without control characters' })
  itemId!: string;

  @ApiProperty({ enum: EVENT_TYPES, example: 'purchase' })
  @IsIn(EVENT_TYPES)
  type!: EventType;

  /** The rating for type rating (e.g. 1 to 5). @example 5 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value?: number;

  /** When it happened (ISO 8601); default: when it arrives. @example "2025-06-01T08:30:00Z" */
  @IsOptional()
  @IsISO8601()
  timestamp?: string;
}

export class BulkEventsDto {
  /** Up to REC_MAX_EVENTS_PER_REQUEST events; written in transactions of REC_EVENT_BATCH_SIZE after the whole request is checked. */
  @ApiProperty({
    type: [EventDto],
    example: [
      { id: 'e1', userId: 'alice', itemId: 'book-doupo', type: 'purchase', timestamp: '2025-06-01T08:30:00Z' },
      { id: 'e2', userId: 'bob', itemId: 'tshirt-a', type: 'rating', value: 4 },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => EventDto)
  events!: EventDto[];
}

export class IngestResultDto {
  /** @example 2 */
  received!: number;
  /** Committed. @example 1 */
  inserted!: number;
  /** Event ids already stored: ignored. @example 1 */
  duplicates!: number;
  /** @example 1 */
  batches!: number;
}
