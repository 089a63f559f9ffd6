import { Injectable } from '@nestjs/common';
import { UnavailableError } from '../../common/errors';
import { QueryService } from '../../recommendation/query.service';
import { displayTitle } from './catalog-words';
import { Skill, SkillContext, SkillResult } from './skill';

const K = 3;

/**
 * Recommendations from the recommendation module's text query; when the message names no
 * catalog word, the conversation's product slot is the context ("something like it").
 */
@Injectable()
export class RecommendSkill implements Skill {
  readonly name = 'recommend' as const;

  constructor(private readonly query: QueryService) {}

  async run(ctx: SkillContext): Promise<SkillResult> {
    try {
      let r = await this.query.query(ctx.project, { text: ctx.text, userId: ctx.userId, k: K });
      if (!r.matched.length && ctx.slots.product) r = await this.query.query(ctx.project, { text: `${ctx.text} ${String(ctx.slots.product)}`, userId: ctx.userId, k: K });
      const titles = r.items.map((i) => displayTitle(i.title, ctx.lang));
      if (!titles.length) return { response: 'recommend_none', action: 'none' };
      return { response: 'recommend_items', vars: { items: titles.join(ctx.lang === 'zh' ? '、' : ', ') }, suggestions: titles, action: `items:${r.items.map((i) => i.itemId).join(',')}` };
    } catch (err) {
      if (err instanceof UnavailableError) return { response: 'recommend_none', action: 'unavailable' };
      throw err;
    }
  }
}
