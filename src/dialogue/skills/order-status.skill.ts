import { Injectable } from '@nestjs/common';
import { DialogueRepository } from '../dialogue.repository';
import { displayTitle } from './catalog-words';
import { Skill, SkillContext, SkillResult } from './skill';

const STATUS: Record<string, { zh: string; en: string }> = { placed: { zh: '已下单', en: 'placed' } };

/** The end user's latest order in this project. */
@Injectable()
export class OrderStatusSkill implements Skill {
  readonly name = 'order_status' as const;

  constructor(private readonly repo: DialogueRepository) {}

  async run(ctx: SkillContext): Promise<SkillResult> {
    const o = await this.repo.latestOrder(ctx.project, ctx.userId);
    if (!o) return { response: 'order_none', action: 'none' };
    const status = STATUS[o.status]?.[ctx.lang] ?? o.status;
    return { response: 'order_status', vars: { order_id: o.id, title: displayTitle(o.title, ctx.lang), quantity: o.quantity, total: o.memberTotal ?? o.total, currency: ctx.domain.settings.currency, status }, action: 'found' };
  }
}
