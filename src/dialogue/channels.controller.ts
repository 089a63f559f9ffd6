import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { BUNDLED_ASSISTANT } from './assistants.service';
import { AgentReplyDto, HandoffListDto, MessageDto, PageQueryDto, RestChannelMessageDto, RestChannelQueryDto, RestChannelReplyDto } from './dialogue.dto';
import { HandoffService } from './handoff.service';

@ApiTags('dialogue')
@ApiBearerAuth()
@Controller()
export class ChannelsController {
  constructor(private readonly channels: HandoffService) {}

  /** Rasa's REST channel: `{sender, message}` -> `[{recipient_id, text}]`, one conversation per sender, so Rasa front ends work unchanged. */
  @Post('webhooks/rest/webhook')
  @HttpCode(200)
  @ApiBody({
    type: RestChannelMessageDto,
    examples: {
      zh: { summary: '天气', value: { sender: 'user-42', message: '今天的天气怎么样？' } },
      en: { summary: 'Recommendations', value: { sender: 'user-42', message: "I'm looking at T-shirts, recommend some" } },
    },
  })
  @ApiErrors(400, 401, 404, 503)
  restChannelWebhook(@CurrentProject() project: string, @Body() body: RestChannelMessageDto, @Query() q: RestChannelQueryDto): Promise<RestChannelReplyDto[]> {
    return this.channels.restChannel(project, body.sender, body.message, q.assistant ?? BUNDLED_ASSISTANT);
  }

  /** Conversations waiting for a person (handoff), longest waiting first. */
  @Get('api/v1/dialogue/handoffs')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  listDialogueHandoffs(@CurrentProject() project: string, @Query() q: PageQueryDto): Promise<HandoffListDto> {
    return this.channels.waiting(project, q.limit ?? 50, q.offset ?? 0);
  }

  /** An agent's reply into a conversation; with release the assistant takes it back. */
  @Post('api/v1/dialogue/handoffs/:id/replies')
  @AdminOnly()
  @ApiBody({
    type: AgentReplyDto,
    examples: {
      zh: { summary: '客服回复', value: { text: '您好，我是客服小王，请问有什么可以帮您？' } },
      en: { summary: 'Agent answers and hands back', value: { text: 'Your refund is on its way.', release: true } },
    },
  })
  @ApiErrors(400, 401, 403, 404)
  postDialogueAgentReply(@CurrentProject() project: string, @Param('id') id: string, @Body() body: AgentReplyDto): Promise<MessageDto> {
    return this.channels.reply(project, id, body.text, body.release ?? false);
  }
}
