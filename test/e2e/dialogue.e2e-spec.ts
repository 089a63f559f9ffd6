/**
 * Dialogue through HTTP: the shop assistant's three flows in Chinese and English (weather from
 * a local server that speaks Open-Meteo's API, ordering priced from the catalog with the
 * membership rule, recommendations from the recommendation module), corrections,
 * cancellation, an intent switch mid-form, ordered concurrent turns, ownership, the weather
 * service down, unknown input, handoff with an agent reply, Rasa's REST channel, domain
 * validation, the bundled conversation tests, and a restart in the middle of a form.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDatabases } from './support/databases';
import { FakeOpenMeteo, startFakeOpenMeteo } from '../../src/dialogue/weather/open-meteo.fake';
import { startTestApp, TestApp } from './support/test-app';

jest.setTimeout(180_000);

const D = '/api/v1/dialogue';
const item = (id: string, title: string, category: string, price: number, extra: object = {}) => ({ id, title, category, price, currency: 'CNY', ...extra });
const ITEMS = [
  item('book-doupo', '斗破苍穹', 'books', 100, { tags: ['玄幻'], description: '天蚕土豆著，玄幻小说。' }),
  item('book-wudong', '武动乾坤', 'books', 88, { tags: ['玄幻'] }),
  item('book-dune', 'Dune', 'books', 120, { tags: ['science fiction'] }),
  item('tshirt-a', 'T恤衫A (T-shirt A, white)', 'clothing', 59, { subCategories: ['t-shirts'], description: '纯棉短袖T恤。Cotton T-shirt.' }),
  item('tshirt-b', 'T恤衫B (T-shirt B, black)', 'clothing', 69, { subCategories: ['t-shirts'], description: '纯棉短袖T恤。Cotton T-shirt.' }),
  item('tshirt-c', 'T恤衫C (T-shirt C, navy)', 'clothing', 79, { subCategories: ['t-shirts'], description: '纯棉短袖T恤。Cotton T-shirt.' }),
  item('earbuds', '无线耳机 (Earbuds)', 'electronics', 299),
];

type Turn = { sessionId: string; reply: string; intent: { name: string } | null; slots: Record<string, unknown>; actions: string[]; suggestions: string[]; status: string; language: string };

describe.each(testDatabases())('dialogue on %s', (db) => {
  let t: TestApp;
  let weather: FakeOpenMeteo;
  const env = () => ({ DIALOGUE_WEATHER_GEOCODING_URL: weather.geocodingUrl, DIALOGUE_WEATHER_FORECAST_URL: weather.forecastUrl, DIALOGUE_WEATHER_TIMEOUT_MS: '2000', DIALOGUE_FAQ_SEED: 'true', REC_CACHE_TTL_MS: '0' });
  const open = async (user: string, body: object = {}, project?: string): Promise<string> => {
    const r = t.http().post(`${D}/sessions`).set('X-LLMOS-User', user);
    if (project) r.set('X-LLMOS-Project', project);
    return (await r.send(body).expect(201)).body.id;
  };
  const say = async (user: string, id: string, text: string): Promise<Turn> => (await t.http().post(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', user).send({ text }).expect(200)).body;
  /** a fresh conversation; returns each turn's answer */
  const talk = async (user: string, texts: string[], body: object = {}): Promise<Turn[]> => {
    const id = await open(user, body);
    const out: Turn[] = [];
    for (const text of texts) out.push(await say(user, id, text));
    return out;
  };

  beforeAll(async () => {
    weather = await startFakeOpenMeteo();
    t = await startTestApp({ db, env: env() });
    await t.http().post('/api/v1/recommendations/items/bulk').send({ items: ITEMS }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await weather?.close();
  });

  it('weather: the city from the message or the default, the figures from the weather service, in the language of the message', async () => {
    const [zh] = await talk('w1', ['今天的天气怎么样？']);
    expect(zh.reply).toBe('北京今天的天气：晴，气温：25度');
    expect(zh.intent?.name).toBe('weather_query');
    const [en] = await talk('w2', ["what's the weather like in Shanghai today?"]);
    expect(en.reply).toBe('Weather in Shanghai today: clear sky, temperature: 28°C');
    expect(en.language).toBe('en');
    const [profiled] = await talk('w3', ['天气怎么样'], { profile: { city: '上海' } });
    expect(profiled.reply).toBe('上海今天的天气：晴，气温：28度');
  });

  it('correction: "不对，是明天" / "no, tomorrow" answers again for the corrected day', async () => {
    const [, zh] = await talk('c1', ['今天的天气怎么样？', '不对，是明天']);
    expect(zh.reply).toBe('北京明天的天气：雨，气温：18~24度');
    expect(zh.slots.date).toBe('tomorrow');
    const [, en] = await talk('c2', ["what's the weather in Beijing today?", 'no, tomorrow']);
    expect(en.reply).toBe('Weather in Beijing tomorrow: rain, temperature: 18~24°C');
  });

  it('ordering: the form asks for the book, a bare 《斗破苍穹》 fills it, the price comes from the catalog and the discount from the membership rule; the order is recorded', async () => {
    const [ask, quote, placed, status] = await talk('o1', ['我要订购一本小说', '《斗破苍穹》', '好的', '我的订单状态']);
    expect(ask.reply).toBe('您好，请问您需要订购哪一本小说呢？');
    expect(ask.actions).toEqual(['form:order_form', 'ask:product']);
    expect(quote.reply).toMatch(/^为您推荐《斗破苍穹》，共计100元，包年会员8折优惠（会员价80元）/);
    expect(quote.slots).toMatchObject({ product: '斗破苍穹', quantity: 1 });
    expect(placed.reply).toMatch(/^已为您下单，订单号\d+：《斗破苍穹》×1，共100元/);
    expect(placed.slots.product).toBeUndefined();
    expect(status.reply).toMatch(/《斗破苍穹》×1，100元）状态：已下单/);
    // a catalog price change is what the next quote says (not a template)
    await t.http().put('/api/v1/recommendations/items/book-doupo').send({ title: '斗破苍穹', category: 'books', price: 90 }).expect(200);
    const [, requote] = await talk('o2', ['我要买一本书', '《斗破苍穹》']);
    expect(requote.reply).toMatch(/共计90元，包年会员8折优惠（会员价72元）/);
    const { id: _id, ...doupo } = ITEMS[0];
    await t.http().put(`/api/v1/recommendations/items/${_id}`).send(doupo).expect(200);
  });

  it('ordering in English; a member pays the member price; an unknown book is asked again', async () => {
    const [, missing, quote] = await talk('o3', ['I want to order a book', 'Harry Potter', 'Dune'], { profile: { membership: 'annual' } });
    expect(missing.reply).toMatch(/couldn't find "Harry Potter"[\s\S]*which book/);
    expect(quote.reply).toMatch(/^Dune: 1 for 120 CNY in total; annual members get 20% off \(96 CNY\)\nShall I place the order\?$/);
  });

  it('recommendations: items from the recommendation module in the language of the message', async () => {
    const [zh] = await talk('r1', ['我正在浏览T恤衫，请推荐一些']);
    expect(zh.reply).toMatch(/^为您推荐以下商品：T恤衫[ABC]、T恤衫[ABC]、T恤衫[ABC]$/);
    expect(new Set(zh.suggestions)).toEqual(new Set(['T恤衫A', 'T恤衫B', 'T恤衫C']));
    const [en] = await talk('r2', ["I'm looking at T-shirts, recommend some"]);
    expect(en.reply).toMatch(/^Here are some recommendations: T-shirt [ABC], T-shirt [ABC], T-shirt [ABC]$/);
  });

  it('cancellation ends the form and forgets its slots', async () => {
    const [, zh] = await talk('x1', ['我要订购一本小说', '算了']);
    expect(zh.reply).toMatch(/已取消/);
    expect(zh.slots.product).toBeUndefined();
    const [, , en] = await talk('x2', ['I want to order a book', 'Dune', 'cancel']);
    expect(en.reply).toMatch(/cancelled/);
    const id = await open('x3');
    await say('x3', id, '我要订购一本小说');
    await say('x3', id, '算了');
    expect((await t.http().get(`${D}/sessions/${id}`).set('X-LLMOS-User', 'x3').expect(200)).body.form).toBeNull();
  });

  it('an intent switch mid-form is answered, then the form asks again and resumes', async () => {
    const [, side, quote] = await talk('s1', ['我要订购一本小说', '今天的天气怎么样？', '《斗破苍穹》']);
    expect(side.reply).toBe('北京今天的天气：晴，气温：25度\n您好，请问您需要订购哪一本小说呢？');
    expect(side.intent?.name).toBe('weather_query');
    expect(side.actions).toEqual(['weather:report', 'resume:order_form', 'ask:product']);
    expect(quote.reply).toMatch(/共计100元/);
  });

  it('two messages sent at once to one session are answered in order, never interleaved', async () => {
    const id = await open('p1');
    // a slow weather service: the correction arrives while the first turn still runs, and needs its state
    weather.delayMs = 300;
    let a: Turn;
    let b: Turn;
    try {
      const first = say('p1', id, '今天的天气怎么样？');
      await new Promise((r) => setTimeout(r, 50));
      const second = say('p1', id, '不对，是明天');
      [a, b] = await Promise.all([first, second]);
    } finally {
      weather.delayMs = 0;
    }
    expect(a.reply).toBe('北京今天的天气：晴，气温：25度');
    expect(b.reply).toBe('北京明天的天气：雨，气温：18~24度');
    // a burst: every user message is followed by its own answer
    await Promise.all(['你好', '谢谢', '你好', '谢谢', '你好'].map((text) => say('p1', id, text)));
    const { messages, total } = (await t.http().get(`${D}/sessions/${id}/messages?limit=100`).set('X-LLMOS-User', 'p1').expect(200)).body;
    expect(total).toBe(14);
    expect(messages.slice(0, 4).map((m: { text: string }) => m.text)).toEqual(['今天的天气怎么样？', a.reply, '不对，是明天', b.reply]);
    messages.forEach((m: { role: string; text: string }, i: number) => {
      expect(m.role).toBe(i % 2 ? 'bot' : 'user');
      if (m.role === 'bot' && i >= 4) expect(m.text).toMatch(messages[i - 1].text === '你好' ? /您好/ : /不客气/);
    });
  });

  it('a message sent again with the same id gets the stored reply, never a second turn; the same id with another text is a 409', async () => {
    const id = await open('idem');
    const send = (body: object) => t.http().post(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 'idem').send(body);
    const first = (await send({ text: '我要订购一本小说', id: 'm-1' }).expect(200)).body;
    expect(first.replayed).toBeUndefined();
    const again = (await send({ text: '我要订购一本小说', id: 'm-1' }).expect(200)).body;
    expect(again).toEqual({ ...first, replayed: true });
    // a resend racing the next message: both answered, the named message still once
    const [quote, dup] = await Promise.all([send({ text: '《斗破苍穹》', id: 'm-2' }).expect(200), send({ text: '《斗破苍穹》', id: 'm-2' }).expect(200)]);
    expect([quote.body.replayed, dup.body.replayed].filter(Boolean)).toHaveLength(1);
    expect(dup.body.reply).toBe(quote.body.reply);
    expect(quote.body.reply).toMatch(/^为您推荐《斗破苍穹》，共计100元/);
    expect((await send({ text: '好的', id: 'm-1' }).expect(409)).body.message).toMatch(/m-1 was already used/);
    await send({ text: '好的', id: 'has space' }).expect(400);
    await send({ text: '好的', id: 'x'.repeat(129) }).expect(400);
    // the same id in another session is another message
    const other = await open('idem');
    expect((await t.http().post(`${D}/sessions/${other}/messages`).set('X-LLMOS-User', 'idem').send({ text: '你好', id: 'm-1' }).expect(200)).body.replayed).toBeUndefined();
    const { messages } = (await t.http().get(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 'idem').expect(200)).body;
    expect(messages.map((m: { role: string; text: string }) => `${m.role}:${m.text.slice(0, 8)}`)).toEqual(['user:我要订购一本小说', `bot:${first.reply.slice(0, 8)}`, 'user:《斗破苍穹》', `bot:${quote.body.reply.slice(0, 8)}`]);
    // a handoff turn (no bot reply) is replayed as waiting
    const h = await open('idem-h');
    const sendH = (body: object) => t.http().post(`${D}/sessions/${h}/messages`).set('X-LLMOS-User', 'idem-h').send(body);
    expect((await sendH({ text: '我要转人工' }).expect(200)).body.status).toBe('handoff');
    const waiting = (await sendH({ text: '还在吗', id: 'w-1' }).expect(200)).body;
    expect((await sendH({ text: '还在吗', id: 'w-1' }).expect(200)).body).toEqual({ ...waiting, replayed: true });
  });

  it('sessions belong to their project and end user: anyone else gets 404', async () => {
    const id = await open('owner');
    await say('owner', id, '你好');
    await t.http().post(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 'intruder').send({ text: '你好' }).expect(404);
    await t.http().get(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 'intruder').expect(404);
    await t.http().delete(`${D}/sessions/${id}`).set('X-LLMOS-User', 'intruder').expect(404);
    await t.http().post('/api/v1/projects').send({ id: 'other-shop' }).expect(201);
    await t.http().get(`${D}/sessions/${id}`).set('X-LLMOS-User', 'owner').set('X-LLMOS-Project', 'other-shop').expect(404);
    // another project has no bundled assistant until it uploads one
    await t.http().post(`${D}/sessions`).set('X-LLMOS-Project', 'other-shop').send({}).expect(404);
    await t.http().delete(`${D}/sessions/${id}`).set('X-LLMOS-User', 'owner').expect(204);
    await t.http().get(`${D}/sessions/${id}`).set('X-LLMOS-User', 'owner').expect(404);
    await t.http().post(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 'owner').send({ text: '' }).expect(400);
  });

  it('the weather service down: an honest reply, never invented figures, never a 500', async () => {
    weather.mode = 'down';
    try {
      const [zh] = await talk('d1', ['今天的天气怎么样？']);
      expect(zh.reply).toBe('抱歉，天气服务暂时不可用，无法查询北京今天的天气，请稍后再试。');
      expect(zh.actions).toEqual(['weather:unavailable']);
      const [en] = await talk('d2', ['weather in Shanghai tomorrow?']);
      expect(en.reply).toMatch(/weather service is unavailable/);
      expect(en.reply).not.toMatch(/\d/);
    } finally {
      weather.mode = 'up';
    }
  });

  it('unknown input gets a clarifying question with suggestions', async () => {
    const [en] = await talk('u1', ['blorp zzz qux']);
    expect(en.intent).toBeNull();
    expect(en.reply).toMatch(/^Sorry, I didn't (understand|get that)\. (Do you want to check the weather, place an order, or get recommendations|Would you like the weather, an order or some recommendations)\?$/);
    expect(en.suggestions.length).toBeGreaterThan(0);
    const [zh] = await talk('u2', ['呜啦啦啦']);
    expect(zh.reply).toMatch(/没有理解|没听明白/);
  });

  it('FAQ answers from the seeded collection', async () => {
    const [zh] = await talk('f1', ['怎么退货？']);
    expect(zh.intent?.name).toBe('faq');
    expect(zh.reply).toMatch(/7天内可无理由退货/);
  });

  it('handoff: the conversation waits for a person, an agent replies into it, then hands it back', async () => {
    const id = await open('h1');
    const asked = await say('h1', id, '我要转人工');
    expect(asked.reply).toBe('已为您转接人工客服，请稍候。');
    expect(asked.status).toBe('handoff');
    const waiting = await say('h1', id, '我的快递丢了');
    expect(waiting).toMatchObject({ reply: '', status: 'handoff' });
    const list = (await t.http().get(`${D}/handoffs`).expect(200)).body;
    expect(list.sessions.map((s: { id: string }) => s.id)).toContain(id);
    await t.http().post(`${D}/handoffs/${id}/replies`).send({ text: '您好，我是客服小王，马上为您查询。', release: true }).expect(201);
    const { messages } = (await t.http().get(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 'h1').expect(200)).body;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'bot', 'user', 'agent']);
    expect(messages[3].text).toBe('您好，我是客服小王，马上为您查询。');
    expect((await t.http().get(`${D}/handoffs`).expect(200)).body.sessions.map((s: { id: string }) => s.id)).not.toContain(id);
    expect((await say('h1', id, '你好')).status).toBe('bot');
    await t.http().post(`${D}/handoffs/00000000-0000-0000-0000-000000000000/replies`).send({ text: 'hi' }).expect(404);
  });

  it("Rasa's REST channel: {sender, message} -> [{recipient_id, text}], one conversation per sender", async () => {
    const first = (await t.http().post('/webhooks/rest/webhook').send({ sender: 'rasa-user', message: '我要订购一本小说' }).expect(200)).body;
    expect(first).toEqual([{ recipient_id: 'rasa-user', text: '您好，请问您需要订购哪一本小说呢？' }]);
    const second = (await t.http().post('/webhooks/rest/webhook').send({ sender: 'rasa-user', message: '《斗破苍穹》' }).expect(200)).body;
    expect(second.map((m: { text: string }) => m.text)).toEqual([expect.stringMatching(/^为您推荐《斗破苍穹》，共计100元/), '需要为您下单吗？']);
    expect(second.every((m: { recipient_id: string }) => m.recipient_id === 'rasa-user')).toBe(true);
    await t.http().post('/webhooks/rest/webhook').send({ sender: 'rasa-user' }).expect(400);
  });

  it('domain files: a wrong one is a 400 listing each problem with its line; a right one serves its project', async () => {
    const wrong = 'intents:\n  hello:\n    skill: teleport\n  order:\n    skill: order\n    form: missing_form\nslots:\n  city:\n    mappings: [{ type: from_entity, entity: nowhere }]\n';
    const r = await t.http().put(`${D}/assistants/bad/domain`).set('Content-Type', 'application/yaml').send(wrong).expect(400);
    expect(r.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, path: 'intents.hello.skill', message: expect.stringMatching(/unknown skill teleport/) }),
        expect.objectContaining({ line: 6, path: 'intents.order.form' }),
        expect.objectContaining({ line: 9, path: 'slots.city.mappings[0]' }),
      ]),
    );
    await t.http().put(`${D}/assistants/bad/domain`).set('Content-Type', 'application/yaml').send('intents: [unclosed').expect(400);
    const custom = readFileSync(join(__dirname, '../../src/dialogue/assets/shop.yml'), 'utf8').replace('default_city: 北京', 'default_city: 上海');
    await t.http().put(`${D}/assistants/shop/domain`).set('X-LLMOS-Project', 'other-shop').set('Content-Type', 'application/yaml').send(custom).expect(200);
    expect((await t.http().get(`${D}/assistants`).set('X-LLMOS-Project', 'other-shop').expect(200)).body.map((a: { name: string }) => a.name)).toEqual(['shop']);
    const id = await open('o', {}, 'other-shop');
    const turn = (await t.http().post(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 'o').set('X-LLMOS-Project', 'other-shop').send({ text: '今天的天气怎么样？' }).expect(200)).body;
    expect(turn.reply).toBe('上海今天的天气：晴，气温：28度');
  });

  it('the bundled conversation tests pass, and a failing expectation is reported by turn', async () => {
    const tests = readFileSync(join(__dirname, '../../src/dialogue/assets/shop.tests.yml'), 'utf8');
    const report = (await t.http().post(`${D}/assistants/shop/test`).set('Content-Type', 'application/yaml').send(tests).expect(200)).body;
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(report.turns);
    const failing = 'tests:\n  - name: wrong price\n    turns:\n      - user: 我要订购一本小说\n      - user: 《斗破苍穹》\n        reply: 共计999元\n';
    const bad = (await t.http().post(`${D}/assistants/shop/test`).set('Content-Type', 'application/yaml').send(failing).expect(200)).body;
    expect(bad).toMatchObject({ tests: 1, turns: 2, passed: 1, failed: 1 });
    expect(bad.failures[0]).toMatchObject({ test: 'wrong price', turn: 2, user: '《斗破苍穹》', problems: [expect.stringMatching(/^reply: expected \/共计999元\//)] });
    await t.http().post(`${D}/assistants/shop/test`).set('Content-Type', 'application/yaml').send('tests: []').expect(400);
  });

  it('a restart in the middle of a form keeps the state', async () => {
    const id = await open('rs');
    await say('rs', id, '我要订购一本小说');
    await t.close(false);
    t = await startTestApp({ db, env: env(), reuse: t });
    const quote = await say('rs', id, '《斗破苍穹》');
    expect(quote.reply).toMatch(/^为您推荐《斗破苍穹》，共计100元/);
  });
});
