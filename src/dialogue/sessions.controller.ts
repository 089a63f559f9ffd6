import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiHeader, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { BUNDLED_ASSISTANT } from './assistants.service';
import { DialogueService } from './dialogue.service';
import { MessagePageDto, OpenSessionDto, PageQueryDto, SessionDto, StreamQueryDto, TurnReplyDto, UserMessageDto } from './dialogue.dto';
import { EndUser } from './end-user';
import { STREAM_EXAMPLE, streamTurn, wantsStream } from './turn-stream';

const USER_HEADER = { name: 'X-LLMOS-User', required: false, description: "The end user this request speaks for (default: the key's owner); another user's session is a 404." };

@ApiTags('dialogue')
@ApiBearerAuth()
@ApiExtraModels(TurnReplyDto)
@ApiHeader(USER_HEADER)
@Controller('api/v1/dialogue/sessions')
export class SessionsController {
  constructor(private readonly dialogue: DialogueService) {}

  /** Opens a conversation of the end user with an assistant. */
  @Post()
  @ApiBody({
    type: OpenSessionDto,
    examples: {
      zh: { summary: '上海的包年会员', value: { assistant: 'shop', profile: { city: '上海', membership: 'annual' } } },
      en: { summary: 'A new shopper', value: { assistant: 'shop' } },
    },
  })
  @ApiErrors(400, 401, 404)
  openDialogueSession(@CurrentProject() project: string, @EndUser() user: string, @Body() body: OpenSessionDto): Promise<SessionDto> {
    return this.dialogue.open(project, user, body.assistant ?? BUNDLED_ASSISTANT, body.profile ?? {});
  }

  /** A conversation's status, slots and form. */
  @Get(':id')
  @ApiErrors(401, 404)
  getDialogueSession(@CurrentProject() project: string, @EndUser() user: string, @Param('id') id: string): Promise<SessionDto> {
    return this.dialogue.get(project, user, id);
  }

  /**
   * Sends a user message; messages to one session are answered in the order they arrived, one at a time (also across replicas); a message sent again with the same `id` gets the stored reply.
   * With `Accept: text/event-stream` or `?stream=true` the answer is Server-Sent Events: a generated reply (chitchat with a text-generation model) arrives as `{"type":"delta","text"}` events as it is decoded, then `{"type":"turn",...}` carries the whole turn result; any other reply is that one final event.
   */
  @Post(':id/messages')
  @HttpCode(200)
  @ApiBody({
    type: UserMessageDto,
    examples: {
      zh: { summary: '订购小说（带消息 id，重发时返回已存的回复）', value: { text: '我要订购一本小说', id: 'msg-0001' } },
      en: { summary: 'Weather (with a message id: a resend returns the stored reply)', value: { text: "what's the weather like today?", id: 'msg-0002' } },
    },
  })
  @ApiOkResponse({
    description: 'The turn result (JSON), or with Accept: text/event-stream / ?stream=true, the events `delta` (generated text) then `turn` (the result), one JSON object per `data:` line.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(TurnReplyDto) } },
      'text/event-stream': { schema: { type: 'string' }, example: STREAM_EXAMPLE },
    },
  })
  @ApiErrors(400, 401, 404, 409, 503)
  postDialogueMessage(
    @CurrentProject() project: string,
    @EndUser() user: string,
    @Param('id') id: string,
    @Body() body: UserMessageDto,
    @Query() q: StreamQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TurnReplyDto | void> {
    const turn = (onDelta?: (text: string) => void) => this.dialogue.message(project, user, id, body.text, body.id, onDelta);
    return wantsStream(req, q.stream) ? streamTurn(res, turn) : turn();
  }

  /** The conversation's messages, oldest first (user, bot and agent). */
  @Get(':id/messages')
  @ApiErrors(400, 401, 404)
  listDialogueMessages(@CurrentProject() project: string, @EndUser() user: string, @Param('id') id: string, @Query() q: PageQueryDto): Promise<MessagePageDto> {
    return this.dialogue.history(project, user, id, q.limit ?? 50, q.offset ?? 0);
  }

  /** Deletes a conversation and its messages (orders it placed stay). */
  @Delete(':id')
  @HttpCode(204)
  @ApiErrors(401, 404)
  async deleteDialogueSession(@CurrentProject() project: string, @EndUser() user: string, @Param('id') id: string): Promise<void> {
    await this.dialogue.remove(project, user, id);
  }
}
