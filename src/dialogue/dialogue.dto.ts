import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class OpenSessionDto {
  /** The assistant (default: shop, which the default project ships). @example "shop" */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/)
  assistant?: string;

  /** What the assistant may know of the user: city (weather), membership (a membership rule id of the domain: its price applies). @example {"city": "上海", "membership": "annual"} */
  @IsOptional()
  @IsObject()
  profile?: Record<string, unknown>;
}

export class SessionDto {
  /** @example "7d1f7c1e-3c55-4f6e-9b0e-2f1a9b8c7d6e" */
  id!: string;
  /** @example "shop" */
  assistant!: string;
  /** The end user (header X-LLMOS-User, else the key's owner). @example "user-42" */
  userId!: string;
  @ApiProperty({ enum: ['bot', 'handoff'], example: 'bot' })
  status!: string;
  /** @example {"product": "斗破苍穹", "quantity": 1} */
  slots!: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'order_form', description: 'the form being filled' })
  form!: string | null;
  /** @example {"city": "上海"} */
  profile!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;
}

export class UserMessageDto {
  /** What the user says, in Chinese or English (the reply follows its language). @example "我要订购一本小说" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  text!: string;
  /**
   * The client's name for this message (optional; 1-128 printable ASCII characters, no spaces),
   * unique within the session. Sending it again — after a lost response, a timeout, a replica
   * that died — answers with the stored reply (`replayed: true`) instead of running a second
   * turn; the same id with a different text is a 409.
   * @example "msg-0001"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'id must be 1-128 printable ASCII characters without spaces' })
  id?: string;
}

export class EntityDto {
  /** @example "book" */
  entity!: string;
  /** @example "斗破苍穹" */
  value!: string;
  /** @example "《斗破苍穹》" */
  text!: string;
  /** @example 0 */
  start!: number;
  /** @example 6 */
  end!: number;
}

export class IntentDto {
  /** @example "order_product" */
  name!: string;
  /** @example 1 */
  confidence!: number;
  @ApiPropertyOptional({ enum: ['rule', 'example', 'nlu'], nullable: true, example: 'rule', description: "rule: a keyword or pattern of the domain; example: the nearest domain example; nlu: the project's trained model; null: the form's intent (the message answered it)" })
  via!: string | null;
}

export class TurnReplyDto {
  /** @example "7d1f7c1e-3c55-4f6e-9b0e-2f1a9b8c7d6e" */
  sessionId!: string;
  /** Empty while a person has the conversation (status handoff). @example "为您推荐《斗破苍穹》，共计100元，包年会员8折优惠（会员价80元）\n需要为您下单吗？" */
  reply!: string;
  @ApiProperty({ enum: ['zh', 'en'], example: 'zh' })
  language!: string;
  @ApiPropertyOptional({ type: IntentDto, nullable: true })
  intent!: IntentDto | null;
  entities!: EntityDto[];
  /** @example {"product": "斗破苍穹", "quantity": 1} */
  slots!: Record<string, unknown>;
  /** What the tracker and skills did, in order. @example ["order:quote"] */
  actions!: string[];
  /** Things the user might say next (recommended titles, example requests). @example [] */
  suggestions!: string[];
  @ApiProperty({ enum: ['bot', 'handoff'], example: 'bot' })
  status!: string;
  /** Present (true) when this is the stored answer to a message sent before with the same `id`: no new turn ran. @example true */
  replayed?: boolean;
}

export class StreamQueryDto {
  /** true: answer as Server-Sent Events (as `Accept: text/event-stream`); false: JSON whatever the Accept header says. @example "true" */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'stream must be true or false' })
  stream?: string;
}

export class PageQueryDto {
  /** @example 50 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
  /** @example 0 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class MessageDto {
  /** @example 12 */
  id!: number;
  @ApiProperty({ enum: ['user', 'bot', 'agent'], example: 'user' })
  role!: string;
  /** @example "我要订购一本小说" */
  text!: string;
  /** user: intent and entities; bot: actions, suggestions, slots. */
  data!: Record<string, unknown>;
  createdAt!: Date;
}

export class MessagePageDto {
  messages!: MessageDto[];
  /** @example 4 */
  total!: number;
}

export class AssistantDto {
  /** @example "shop" */
  name!: string;
  @ApiProperty({ enum: ['uploaded', 'bundled'], example: 'bundled' })
  source!: string;
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  updatedAt!: Date | null;
  /** @example ["weather_query", "order_product", "product_recommendation"] */
  intents!: string[];
  /** @example ["weather", "order", "recommend"] */
  skills!: string[];
}

export class AssistantDetailDto extends AssistantDto {
  /** The domain file as uploaded (YAML). */
  domain!: string;
}

export class TurnFailureDto {
  /** @example "order a novel" */
  test!: string;
  /** @example 2 */
  turn!: number;
  /** @example "《斗破苍穹》" */
  user!: string;
  /** @example ["reply: expected /共计100元/, got \"抱歉，没有找到《斗破苍穹》。\""] */
  problems!: string[];
  reply!: string;
  @ApiPropertyOptional({ type: 'string', nullable: true })
  intent!: string | null;
  slots!: Record<string, unknown>;
}

export class TestReportDto {
  /** @example 3 */
  tests!: number;
  /** @example 8 */
  turns!: number;
  /** @example 8 */
  passed!: number;
  /** @example 0 */
  failed!: number;
  failures!: TurnFailureDto[];
}

export class HandoffListDto {
  sessions!: SessionDto[];
  /** @example 1 */
  total!: number;
}

export class AgentReplyDto {
  /** What the person says to the user. @example "您好，我是客服小王，请问有什么可以帮您？" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  text!: string;

  /** Hand the conversation back to the assistant after this reply (default false). @example false */
  @IsOptional()
  @IsBoolean()
  release?: boolean;
}

export class RestChannelMessageDto {
  /** The end user's id (Rasa's sender): one conversation per sender and assistant. @example "user-42" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  sender!: string;

  /** @example "今天的天气怎么样？" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  message!: string;
}

export class RestChannelQueryDto {
  /** The assistant (default shop). @example "shop" */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/)
  assistant?: string;
}

export class RestButtonDto {
  /** @example "T恤衫A" */
  title!: string;
  /** @example "T恤衫A" */
  payload!: string;
}

export class RestChannelReplyDto {
  /** @example "user-42" */
  recipient_id!: string;
  /** @example "北京今天的天气：晴，气温：25度" */
  text!: string;
  @ApiPropertyOptional({ type: [RestButtonDto] })
  buttons?: RestButtonDto[];
}
