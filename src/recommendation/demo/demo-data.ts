import { mulberry32 } from '../../common/random';
import type { IncomingEvent } from '../events.service';
import type { ItemInput } from '../rec.types';

const book = (id: string, title: string, price: number, tags: string[], description: string): ItemInput => ({ id, title, category: 'books', tags, price, currency: 'CNY', description });
const shirt = (id: string, title: string, price: number, color: string): ItemInput => ({
  id,
  title,
  category: 'clothing',
  subCategories: ['t-shirts'],
  tags: [color, '纯棉', 'cotton'],
  price,
  currency: 'CNY',
  description: `${title}：纯棉短袖T恤，${color}。Cotton short-sleeve T-shirt.`,
});

/** The demo catalog of the default project: books, T-shirts and a few other categories, in Chinese and English. */
export const DEMO_ITEMS: ItemInput[] = [
  book('book-doupo', '斗破苍穹', 100, ['玄幻', '网络小说'], '天蚕土豆著。少年萧炎从天才沦为废物，又一步步登上斗气大陆之巅。'),
  book('book-wudong', '武动乾坤', 88, ['玄幻', '网络小说'], '天蚕土豆著，林动的修炼之路。'),
  book('book-xianni', '仙逆', 79, ['仙侠', '网络小说'], '耳根著，王林逆天修仙。'),
  book('book-santi', '三体', 93, ['科幻'], '刘慈欣著，地球文明与三体文明的相遇。'),
  book('book-liulang', '流浪地球', 45, ['科幻'], '刘慈欣中短篇科幻小说集。'),
  book('book-dune', 'Dune', 120, ['science fiction'], 'Frank Herbert: Paul Atreides on the desert planet Arrakis.'),
  book('book-foundation', 'Foundation', 85, ['science fiction'], 'Isaac Asimov: psychohistory and the fall of the Galactic Empire.'),
  book('book-huozhe', '活着', 39, ['文学'], '余华著，福贵的一生。'),
  book('book-weicheng', '围城', 36, ['文学'], '钱钟书著，方鸿渐的婚姻与人生。'),
  book('book-prince', 'The Little Prince (小王子)', 32, ['classics', '童话'], 'Antoine de Saint-Exupéry: a pilot meets a prince from asteroid B-612.'),
  shirt('tshirt-a', 'T恤衫A (T-shirt A, white)', 59, '白色 white'),
  shirt('tshirt-b', 'T恤衫B (T-shirt B, black)', 69, '黑色 black'),
  shirt('tshirt-c', 'T恤衫C (T-shirt C, navy)', 79, '藏青 navy'),
  { id: 'jeans-slim', title: '修身牛仔裤 (Slim jeans)', category: 'clothing', subCategories: ['pants'], tags: ['denim'], price: 199, currency: 'CNY', description: '弹力修身牛仔裤。Stretch slim-fit jeans.' },
  { id: 'hoodie-grey', title: '连帽卫衣 (Grey hoodie)', category: 'clothing', subCategories: ['hoodies'], tags: ['cotton'], price: 159, currency: 'CNY', description: '加绒连帽卫衣。Fleece-lined hoodie.' },
  { id: 'sneakers-run', title: '跑步鞋 (Running shoes)', category: 'shoes', tags: ['sport'], price: 399, currency: 'CNY', description: '轻量缓震跑鞋。Lightweight cushioned running shoes.' },
  { id: 'sneakers-canvas', title: '帆布鞋 (Canvas sneakers)', category: 'shoes', tags: ['casual'], price: 129, currency: 'CNY', description: '经典低帮帆布鞋。Classic low-top canvas sneakers.' },
  { id: 'phone-case', title: '手机壳 (Phone case)', category: 'electronics', tags: ['accessory'], price: 29, currency: 'CNY', description: '防摔硅胶手机壳。Shockproof silicone phone case.' },
  { id: 'earbuds', title: '无线耳机 (Wireless earbuds)', category: 'electronics', tags: ['audio'], price: 299, currency: 'CNY', description: '蓝牙降噪无线耳机。Bluetooth noise-cancelling earbuds.' },
  { id: 'power-bank', title: '充电宝 (Power bank)', category: 'electronics', tags: ['battery'], price: 99, currency: 'CNY', description: '10000毫安快充移动电源。10000 mAh fast-charging power bank.' },
  { id: 'green-tea', title: '西湖龙井 (Longjing green tea)', category: 'food', tags: ['茶', 'tea'], price: 168, currency: 'CNY', description: '明前西湖龙井绿茶。Pre-Qingming Longjing green tea.' },
  { id: 'mooncake', title: '月饼礼盒 (Mooncake gift box)', category: 'food', tags: ['节日', 'festival'], price: 128, currency: 'CNY', description: '中秋月饼礼盒，莲蓉蛋黄。Mid-Autumn mooncakes, lotus paste and egg yolk.' },
];

/** Taste groups: most of a user's events fall in one group's items. */
const GROUPS: string[][] = [
  ['book-doupo', 'book-wudong', 'book-xianni'],
  ['book-santi', 'book-liulang', 'book-dune', 'book-foundation'],
  ['book-huozhe', 'book-weicheng', 'book-prince'],
  ['tshirt-a', 'tshirt-b', 'tshirt-c', 'jeans-slim', 'hoodie-grey', 'sneakers-canvas'],
  ['sneakers-run', 'earbuds', 'power-bank', 'phone-case'],
  ['green-tea', 'mooncake', 'book-huozhe'],
];

const TYPES = ['view', 'view', 'view', 'click', 'click', 'add_to_cart', 'purchase'] as const;

/** Deterministic interactions: 120 users in six taste groups, over the last 30 days. */
export function demoEvents(now = Date.now(), users = 120): IncomingEvent[] {
  const random = mulberry32(20250601);
  const events: IncomingEvent[] = [];
  for (let u = 0; u < users; u++) {
    const group = GROUPS[u % GROUPS.length];
    const n = 6 + Math.floor(random() * 10);
    for (let e = 0; e < n; e++) {
      const pool = random() < 0.85 ? group : DEMO_ITEMS.map((i) => i.id);
      const itemId = pool[Math.floor(random() * pool.length)];
      const type = TYPES[Math.floor(random() * TYPES.length)];
      const ts = new Date(now - Math.floor(random() * 30 * 86_400_000)).toISOString();
      events.push({ id: `demo-${u}-${e}`, userId: `demo-user-${u}`, itemId, type, timestamp: ts });
    }
  }
  return events;
}
