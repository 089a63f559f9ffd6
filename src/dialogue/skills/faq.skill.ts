import { Injectable } from '@nestjs/common';
import { NotFoundError, UnavailableError } from '../../common/errors';
import { AnswerService } from '../../search/answer.service';
import { Skill, SkillContext, SkillResult } from './skill';

/** Answers from documents: the search module's answer over the collection the domain names (settings.faq_collection). */
@Injectable()
export class FaqSkill implements Skill {
  readonly name = 'faq' as const;

  constructor(private readonly answers: AnswerService) {}

  async run(ctx: SkillContext): Promise<SkillResult> {
    const collection = ctx.domain.settings.faqCollection;
    const handoff = ctx.lang === 'zh' ? ['转人工'] : ['talk to a human'];
    if (!collection) return { response: 'faq_none', suggestions: handoff, action: 'no_collection' };
    try {
      const a = await this.answers.answer(ctx.project, collection, { question: ctx.text, k: 3 });
      // a Q&A document's passage: the answer part is the reply
      const text = (a.mode === 'extractive' ? (/(?:答[:：]|\bA:)\s*([\s\S]+)$/u.exec(a.answer)?.[1] ?? a.answer) : a.answer).trim();
      if (!text) return { response: 'faq_none', suggestions: handoff, action: 'no_answer' };
      return { text, action: `answer:${a.mode}` };
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof UnavailableError) return { response: 'faq_none', suggestions: handoff, action: 'unavailable' };
      throw err;
    }
  }
}
