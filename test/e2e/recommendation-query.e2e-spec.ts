/**
 * POST /api/v1/recommendations/query: text requests in Chinese and English resolve catalog
 * words (catalog names without an NLU model, NLU entities once the project has one), blend
 * content similarity, the neighbours of named products and the user's profile, and say
 * which words matched.
 */
import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

jest.setTimeout(180_000);

const REC = '/api/v1/recommendations';
const item = (id: string, title: string, category: string, price: number, extra: object = {}) => ({ id, title, category, price, currency: 'CNY', ...extra });
const ITEMS = [
  item('book-doupo', '斗破苍穹', 'books', 100, { tags: ['玄幻'], description: '天蚕土豆著，玄幻小说。' }),
  item('book-wudong', '武动乾坤', 'books', 88, { tags: ['玄幻'], description: '天蚕土豆著，玄幻小说。' }),
  item('book-xianni', '仙逆', 'books', 79, { tags: ['仙侠'] }),
  item('book-santi', '三体', 'books', 93, { tags: ['科幻'] }),
  item('book-dune', 'Dune', 'books', 120, { tags: ['science fiction'] }),
  item('tshirt-a', 'T恤衫A (T-shirt A)', 'clothing', 59, { subCategories: ['t-shirts'], description: '纯棉短袖T恤。Cotton T-shirt.' }),
  item('tshirt-b', 'T恤衫B (T-shirt B)', 'clothing', 69, { subCategories: ['t-shirts'], description: '纯棉短袖T恤。Cotton T-shirt.' }),
  item('tshirt-c', 'T恤衫C (T-shirt C)', 'clothing', 79, { subCategories: ['t-shirts'], description: '纯棉短袖T恤。Cotton T-shirt.' }),
  item('hoodie', '连帽卫衣 (Hoodie)', 'clothing', 159, { subCategories: ['hoodies'] }),
  item('earbuds', '无线耳机 (Earbuds)', 'electronics', 299),
  item('sold-out', '斗破苍穹典藏版 (Out of print)', 'books', 500, { available: false }),
];
const SHIRTS = ['tshirt-a', 'tshirt-b', 'tshirt-c'];
const FANTASY = ['book-doupo', 'book-wudong', 'book-xianni'];

type Matched = { text: string; kind: string; via: string; items: string[]; category?: string };
type QueryAnswer = { nlu: string; personalized: boolean; matched: Matched[]; items: { itemId: string; category: string; matched: string[]; sources: { source: string }[]; because: { itemId: string }[] }[] };

describe.each(testDatabases())('recommendation text queries on %s', (db) => {
  let t: TestApp;
  const query = async (body: object, project?: string): Promise<QueryAnswer> => {
    const r = t.http().post(`${REC}/query`);
    if (project) r.set('X-LLMOS-Project', project);
    return (await r.send(body).expect(200)).body;
  };
  const ids = (a: QueryAnswer) => a.items.map((i) => i.itemId);

  beforeAll(async () => {
    t = await startTestApp({ db, env: { REC_CACHE_TTL_MS: '0' } });
    await t.http().post(`${REC}/items/bulk`).send({ items: ITEMS }).expect(201);
    // even users read fantasy books, odd ones buy T-shirts
    const events = Array.from({ length: 40 }, (_, u) => (u % 2 ? SHIRTS : FANTASY).map((itemId, e) => ({ id: `q-${u}-${e}`, userId: `u${u}`, itemId, type: e ? 'click' : 'purchase' }))).flat();
    await t.http().post(`${REC}/events/bulk`).send({ events }).expect(201);
    const train = await t.http().post(`${REC}/train`).send({ evaluate: false }).expect(202);
    for (let i = 0; i < 300; i++) {
      const v = await t.http().get(`${REC}/models/${train.body.model.version}`).expect(200);
      if (v.body.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => t?.close());

  it('a Chinese T-shirt request gives T-shirts, by catalog title words when the project has no NLU model', async () => {
    const r = await query({ text: '我正在浏览T恤衫，请推荐一些', k: 5 });
    expect(r.nlu).toBe('unavailable');
    expect(r.matched).toEqual([expect.objectContaining({ text: 't恤衫', kind: 'title-word', via: 'catalog', items: SHIRTS })]);
    expect(ids(r).slice(0, 3).sort()).toEqual(SHIRTS);
    expect(r.items[0].matched).toEqual(['t恤衫']);
    expect(r.items[0].sources.map((s) => s.source)).toEqual(expect.arrayContaining(['text', 'content']));
  });

  it('an English T-shirt request gives only T-shirts (the category is named)', async () => {
    const r = await query({ text: 'recommend some T-shirts', k: 5 });
    expect(r.matched).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'category', category: 't-shirts' })]));
    expect(ids(r).sort()).toEqual(SHIRTS);
  });

  it('"books like 斗破苍穹": books only, the named one left out, its neighbours first', async () => {
    const r = await query({ text: 'recommend some books like 斗破苍穹', k: 4 });
    expect(r.matched.map((m) => [m.kind, m.text])).toEqual(expect.arrayContaining([['category', 'books'], ['product', '斗破苍穹']]));
    expect(r.items.every((i) => i.category === 'books')).toBe(true);
    expect(ids(r)).not.toContain('book-doupo');
    expect(ids(r)).not.toContain('sold-out');
    expect(FANTASY).toContain(ids(r)[0]);
    expect(r.items[0].sources.map((s) => s.source)).toContain('similar');
  });

  it("blends in the user's profile when userId is given", async () => {
    await t.http().post(`${REC}/events`).send({ id: 'p1', userId: 'fan', itemId: 'tshirt-b', type: 'purchase' }).expect(201);
    const r = await query({ text: 'any T-shirts?', userId: 'fan', k: 3, excludeSeen: true });
    expect(r.personalized).toBe(true);
    expect(ids(r).sort()).toEqual(['tshirt-a', 'tshirt-c']);
    expect(r.items[0].sources.map((s) => s.source)).toContain('profile');
    expect(r.items[0].because.map((b) => b.itemId)).toEqual(['tshirt-b']);
  });

  it('400 for a bad body; another project sees none of the catalog', async () => {
    await t.http().post(`${REC}/query`).send({ text: '' }).expect(400);
    await t.http().post(`${REC}/query`).send({ text: 'T恤', k: 0 }).expect(400);
    await t.http().post('/api/v1/projects').send({ id: 'other-shop' }).expect(201);
    expect((await query({ text: '我正在浏览T恤衫' }, 'other-shop')).items).toEqual([]);
  });

  it('with an NLU model, its entities resolve words the catalog does not hold (体恤 -> T恤)', async () => {
    const content = [
      ...['看看[T恤](category)', '我想买[衬衫](category)', '有没有[牛仔裤](category)', 'show me [jeans](category)', 'I want a [hoodie](category)', '推荐几件[卫衣](category)'].map((m) => ex('browse', m)),
      ...['你好', 'hello', 'hi there', '早上好', 'good morning', 'hey'].map((text) => ({ text, intent: 'greet', entities: [] })),
    ];
    await t.http().post('/api/v1/nlu/import').send({ format: 'json', mode: 'replace', content }).expect(200);
    await t.http().post('/api/v1/nlu/train').send({}).expect(202);
    await t.app.get(NluTrainingService).whenIdle();
    const r = await query({ text: '给我推荐几件体恤', k: 3 });
    expect(r.nlu).toBe('used');
    expect(r.matched).toEqual([expect.objectContaining({ text: '体恤', via: 'nlu', items: SHIRTS })]);
    expect(ids(r).sort()).toEqual(SHIRTS);
  });
});

/** "看看[T恤](category)" -> an import example with offsets. */
function ex(intent: string, marked: string) {
  const m = /\[([^\]]+)\]\(([^)]+)\)/.exec(marked)!;
  const text = marked.slice(0, m.index) + m[1] + marked.slice(m.index + m[0].length);
  return { text, intent, entities: [{ entity: m[2], start: m.index, end: m.index + m[1].length }] };
}
