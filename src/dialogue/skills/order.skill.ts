import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors';
import { CatalogService } from '../../recommendation/catalog.service';
import { QueryService } from '../../recommendation/query.service';
import { DialogueRepository } from '../dialogue.repository';
import { discountText, displayTitle, money } from './catalog-words';
import { Skill, SkillContext, SkillResult } from './skill';

/**
 * Ordering: the product slot resolved against the project's catalog (recommendation module),
 * the price from the catalog times the quantity, the membership rules of the domain; the
 * confirm phase quotes, the act phase records the order.
 */
@Injectable()
export class OrderSkill implements Skill {
  readonly name = 'order' as const;

  constructor(
    private readonly query: QueryService,
    private readonly catalog: CatalogService,
    private readonly repo: DialogueRepository,
  ) {}

  async run(ctx: SkillContext): Promise<SkillResult> {
    const item = await this.resolve(ctx);
    if (!item || item.price === null || !item.available) return { response: 'order_not_found', vars: { product: String(ctx.slots.product ?? '') }, rejectSlot: 'product', action: 'not_found' };
    const quantity = Math.max(1, Math.floor(Number(ctx.slots.quantity ?? 1)));
    const total = money(item.price * quantity);
    const rule = this.rule(ctx);
    const member = rule ? money(total * rule.discount) : null;
    const title = displayTitle(item.title, ctx.lang);
    const currency = item.currency ?? ctx.domain.settings.currency;
    const isMember = !!rule && ctx.profile.membership === rule.id;
    const label = rule ? (rule.label[ctx.lang] ?? rule.label.zh ?? rule.id) : '';
    const membership = !rule ? '' : ctx.lang === 'zh' ? `，${label}${discountText(rule.discount, 'zh')}优惠（会员价${member}元）` : `; ${label} get ${discountText(rule.discount, 'en')} (${member} ${currency})`;
    const vars = { title, quantity, total, currency, membership };
    if (ctx.phase === 'confirm') return { response: 'order_confirm', vars, slots: { product: title }, action: 'quote' };
    const order = await this.repo.createOrder(ctx.project, { sessionId: ctx.sessionId, userId: ctx.userId, itemId: item.id, title: item.title, quantity, unitPrice: item.price, total, memberTotal: isMember ? member : null });
    // a member is charged the member price
    return { response: 'order_placed', vars: { ...vars, total: isMember ? member! : total, order_id: order.id }, action: 'placed' };
  }

  private rule(ctx: SkillContext) {
    const rules = ctx.domain.membership;
    return rules.find((r) => r.id === ctx.profile.membership) ?? rules[0];
  }

  /** The catalog item the product slot names: a title the text names, else the only item whose title holds the words. */
  private async resolve(ctx: SkillContext) {
    const product = String(ctx.slots.product ?? '').trim();
    if (!product) return null;
    const found = await this.query.query(ctx.project, { text: product, k: 1 });
    const named = found.matched.find((m) => m.kind === 'product') ?? found.matched.find((m) => m.kind === 'title-word' && m.items.length === 1);
    const id = named?.items[0];
    if (!id) return null;
    try {
      return await this.catalog.get(ctx.project, id);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }
}
