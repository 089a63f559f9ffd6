import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_PROJECT } from '../auth/principal';
import { NotFoundError } from '../common/errors';
import { CollectionsService } from '../search/collections.service';
import { DocumentsService } from '../search/documents.service';
import { DIALOGUE_SETTINGS, DialogueSettings } from './dialogue-settings';

/** The shop assistant's FAQ collection (settings.faq_collection of assets/shop.yml). */
export const SHOP_FAQ_COLLECTION = 'shop-faq';

const FAQ: { id: string; text: string }[] = [
  { id: 'returns-zh', text: '问：怎么退货？退货政策是什么？答：收到商品7天内可无理由退货，商品需保持完好，退货运费由买家承担；质量问题由我们承担运费。' },
  { id: 'returns-en', text: 'Q: How do I return an item? What is the return policy? A: items can be returned within 7 days of delivery for any reason if undamaged; the buyer pays return shipping unless the item is faulty.' },
  { id: 'shipping-zh', text: '问：运费多少？多久发货、多久送达？答：订单满99元包邮，一般48小时内发货，3到5天送达。' },
  { id: 'shipping-en', text: 'Q: How much is shipping and how long does delivery take? A: free shipping on orders over 99 CNY; orders ship within 48 hours and arrive in 3 to 5 days.' },
  { id: 'membership-zh', text: '问：会员有什么权益？答：包年会员购买所有商品享受8折优惠，并享受优先发货。' },
  { id: 'membership-en', text: 'Q: What are the membership benefits? A: annual members get 20% off every product and priority shipping.' },
  { id: 'refund-zh', text: '问：退款多久到账？答：退货验收后3个工作日内原路退款。' },
  { id: 'refund-en', text: 'Q: When do I get my refund? A: the money goes back to the original payment method within 3 working days after the return is checked.' },
];

/** On a start where the default project has no shop FAQ collection, creates it with the shop's Q&A (DIALOGUE_FAQ_SEED=false turns this off). */
@Injectable()
export class FaqSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Dialogue');

  constructor(
    private readonly collections: CollectionsService,
    private readonly documents: DocumentsService,
    @Inject(DIALOGUE_SETTINGS) private readonly settings: DialogueSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.faqSeed) return;
    try {
      try {
        await this.collections.describe(DEFAULT_PROJECT, SHOP_FAQ_COLLECTION);
        return;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      await this.collections.create(DEFAULT_PROJECT, { name: SHOP_FAQ_COLLECTION, description: 'Shop Q&A of the bundled shop assistant' });
      await this.documents.upsert(DEFAULT_PROJECT, SHOP_FAQ_COLLECTION, FAQ.map((d) => ({ ...d, metadata: { lang: d.id.endsWith('-zh') ? 'zh' : 'en' } })));
      this.logger.log(`FAQ collection ${SHOP_FAQ_COLLECTION} of the shop assistant created in the default project (${FAQ.length} documents)`);
    } catch (err) {
      this.logger.error(`Could not seed the shop FAQ collection: ${(err as Error).message}`);
    }
  }
}
