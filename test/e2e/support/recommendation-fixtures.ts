/** The small catalog and taste groups the recommendation e2e suites share. */
export const item = (id: string, title: string, category: string, price: number, extra: object = {}) => ({ id, title, category, price, currency: 'CNY', ...extra });
export const ITEMS = [
  item('book-doupo', '斗破苍穹', 'books', 100, { tags: ['玄幻'] }),
  item('book-wudong', '武动乾坤', 'books', 88, { tags: ['玄幻'] }),
  item('book-xianni', '仙逆', 'books', 79, { tags: ['仙侠'] }),
  item('book-santi', '三体', 'books', 93, { tags: ['科幻'] }),
  item('book-dune', 'Dune', 'books', 120, { tags: ['science fiction'] }),
  item('tshirt-a', 'T恤衫A (T-shirt A)', 'clothing', 59, { subCategories: ['t-shirts'] }),
  item('tshirt-b', 'T恤衫B (T-shirt B)', 'clothing', 69, { subCategories: ['t-shirts'] }),
  item('tshirt-c', 'T恤衫C (T-shirt C)', 'clothing', 79, { subCategories: ['t-shirts'] }),
  item('hoodie', '连帽卫衣 (Hoodie)', 'clothing', 159, { subCategories: ['hoodies'] }),
  item('earbuds', '无线耳机 (Earbuds)', 'electronics', 299),
  item('sold-out', '绝版书 (Out of print)', 'books', 500, { available: false }),
];
export const FANTASY = ['book-doupo', 'book-wudong', 'book-xianni'];
export const SHIRTS = ['tshirt-a', 'tshirt-b', 'tshirt-c', 'hoodie'];

/** 60 users: even ones read fantasy, odd ones buy T-shirts; each has three items of their group. */
export function tasteEvents(): object[] {
  const events: object[] = [];
  for (let u = 0; u < 60; u++) {
    const group = u % 2 === 0 ? FANTASY : SHIRTS;
    for (let e = 0; e < 3; e++) {
      const itemId = group[(Math.floor(u / 2) + e) % group.length];
      events.push({ id: `t-${u}-${e}`, userId: `u${u}`, itemId, type: e === 0 ? 'purchase' : 'click' });
    }
  }
  events.push({ id: 'pop-1', userId: 'u1', itemId: 'sold-out', type: 'purchase' });
  return events;
}
