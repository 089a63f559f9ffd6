import { Injectable, Logger } from '@nestjs/common';
import { GenerationService } from '../../generation/generation.service';
import type { SequenceEvent } from '../../generation/engine/sequence';
import { Skill, SkillContext, SkillResult } from './skill';

const MAX_TOKENS = 64;

/**
 * Small talk: the generation module when a text-generation model is loaded, else the domain's
 * template. The generated text goes to `ctx.onDelta` as it is decoded (the streamed reply).
 */
@Injectable()
export class ChitchatSkill implements Skill {
  readonly name = 'chitchat' as const;
  private readonly logger = new Logger('Dialogue');

  constructor(private readonly generation: GenerationService) {}

  async run(ctx: SkillContext): Promise<SkillResult> {
    if (this.generation.models().some((m) => m.state === 'ready')) {
      try {
        const system = ctx.lang === 'zh' ? '你是一个友好的购物助理，用简短的中文回答。' : 'You are a friendly shopping assistant. Answer briefly.';
        const prepared = await this.generation.start({
          messages: [{ role: 'system', content: system }, ...ctx.history.slice(-6).map((m) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: m.text })), { role: 'user', content: ctx.text }],
          options: { max_tokens: MAX_TOKENS, temperature: 0.7 },
          projectId: ctx.project,
        });
        const text = (await generated(prepared.streams[0], ctx.onDelta)).trim();
        if (text) return { text, action: `generated:${prepared.model}` };
      } catch (err) {
        this.logger.warn(`Chitchat generation failed, answering from the template: ${(err as Error).message}`);
      }
    }
    return { response: 'chitchat_default', action: 'template' };
  }
}

/**
 * The sequence's text, each piece passed to `onDelta` as it arrives (leading whitespace held
 * back, since the stored reply is trimmed). A failed sequence rejects. The client leaving does
 * not cancel it: the turn generates to the end and stores the whole reply.
 */
async function generated(stream: AsyncGenerator<SequenceEvent>, onDelta?: (text: string) => void): Promise<string> {
  let text = '';
  let sent = 0;
  let started = false;
  for await (const e of stream) {
    if (e.type === 'finish' && (e.reason === 'error' || e.reason === 'cancelled')) throw e.error ?? new Error(`generation ${e.reason}`);
    text += e.text;
    if (!started) {
      sent = text.length - text.trimStart().length;
      started = sent < text.length;
    }
    if (started && text.length > sent) {
      onDelta?.(text.slice(sent));
      sent = text.length;
    }
    if (e.type === 'finish') return text;
  }
  throw new Error('generation stream ended without a finish event');
}
