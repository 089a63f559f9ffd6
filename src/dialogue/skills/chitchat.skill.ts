import { Injectable, Logger } from '@nestjs/common';
import { GenerationService } from '../../generation/generation.service';
import { collectChoice } from '../../generation/results';
import { Skill, SkillContext, SkillResult } from './skill';

const MAX_TOKENS = 64;

/** Small talk: the generation module when a text-generation model is loaded, else the domain's template. */
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
        const text = (await collectChoice(0, prepared.streams[0])).text.trim();
        if (text) return { text, action: `generated:${prepared.model}` };
      } catch (err) {
        this.logger.warn(`Chitchat generation failed, answering from the template: ${(err as Error).message}`);
      }
    }
    return { response: 'chitchat_default', action: 'template' };
  }
}
