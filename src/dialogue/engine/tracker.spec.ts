import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDomain } from '../domain/domain';
import type { SkillResult } from '../skills/skill';
import { checkTurn, parseConversationTests } from './conversation-tests';
import { DialogueState, emptyState, RunSkill, Tracker } from './tracker';
import { detectIntent, extractEntities, languageOf } from './understand';

const domain = parseDomain(readFileSync(join(__dirname, '../assets/shop.yml'), 'utf8'));

/** Skills that answer from the slots (a catalog of one book), recording their calls. */
function skills(calls: string[]): RunSkill {
  return async (intent, phase, slots): Promise<SkillResult> => {
    calls.push(`${intent}:${phase}`);
    if (intent === 'weather_query') return { response: 'weather_report', vars: { city: String(slots.city ?? '北京'), date_text: String(slots.date ?? 'today'), condition: '晴', temperature: '25' } };
    if (intent === 'order_product') {
      if (slots.product !== '斗破苍穹') return { response: 'order_not_found', rejectSlot: 'product' };
      return phase === 'confirm' ? { response: 'order_confirm', vars: { title: '斗破苍穹', total: 100, membership: '' } } : { response: 'order_placed', vars: { order_id: 1, title: '斗破苍穹', quantity: 1, total: 100 } };
    }
    return { response: 'fallback' };
  };
}

async function conversation(texts: string[], d = domain) {
  const calls: string[] = [];
  let state: DialogueState = emptyState();
  const out = [];
  for (const text of texts) {
    const lang = languageOf(text);
    const turn = await new Tracker(d, lang, skills(calls)).turn(state, text, detectIntent(d, text), extractEntities(d, text));
    state = turn.state;
    out.push(turn);
  }
  return { out, calls, state };
}

describe('dialogue tracker', () => {
  it('a form asks for the missing slot, a bare title fills it, confirmation acts', async () => {
    const { out, calls, state } = await conversation(['我要订购一本小说', '《斗破苍穹》', '好的']);
    expect(out[0].reply).toBe('您好，请问您需要订购哪一本小说呢？');
    expect(out[1].reply).toBe('为您推荐《斗破苍穹》，共计100元\n需要为您下单吗？');
    expect(out[1].slots).toMatchObject({ product: '斗破苍穹', quantity: 1 });
    expect(out[2].reply).toMatch(/^已为您下单/);
    expect(calls).toEqual(['order_product:confirm', 'order_product:act']);
    expect(state.form).toBeUndefined();
  });

  it('a rejected slot is asked again', async () => {
    const { out } = await conversation(['我要订购一本小说', '《不存在的书》']);
    expect(out[1].reply).toBe('抱歉，没有找到《不存在的书》。\n您好，请问您需要订购哪一本小说呢？');
    expect(out[1].slots.product).toBeUndefined();
  });

  it('corrections re-run the last intent with the new value; in a form they replace the slot', async () => {
    const { out, calls } = await conversation(['今天的天气怎么样？', '不对，是明天']);
    expect(out[1].reply).toBe('北京tomorrow的天气：晴，气温：25度');
    expect(out[1].slots.date).toBe('tomorrow');
    expect(calls).toEqual(['weather_query:act', 'weather_query:act']);
    const en = await conversation(["what's the weather today?", 'no, tomorrow']);
    expect(en.out[1].slots.date).toBe('tomorrow');
    expect(en.out[1].reply).toMatch(/^Weather in 北京 tomorrow/);
  });

  it('cancellation ends the form; an intent switch is answered and the form resumes', async () => {
    const c = await conversation(['我要订购一本小说', '算了']);
    expect(c.out[1].reply).toMatch(/已取消/);
    expect(c.state.form).toBeUndefined();
    const s = await conversation(['我要订购一本小说', '今天的天气怎么样？', '《斗破苍穹》']);
    expect(s.out[1].reply).toBe('北京today的天气：晴，气温：25度\n您好，请问您需要订购哪一本小说呢？');
    expect(s.out[1].intent).toBe('weather_query');
    expect(s.out[2].slots.product).toBe('斗破苍穹');
  });

  it('unknown input: a clarifying question with suggestions in the language of the message', async () => {
    const { out } = await conversation(['blorp zzz']);
    expect(out[0].intent).toBeNull();
    expect(out[0].reply).toMatch(/^Sorry, I didn't (understand|get that)/);
    expect(out[0].suggestions.every((s) => !/[\u4e00-\u9fff]/.test(s))).toBe(true);
  });

  it('rules: the first whose intent and slot conditions hold answers instead of the intent; mid-form the form resumes after it', async () => {
    const source = readFileSync(join(__dirname, '../assets/shop.yml'), 'utf8').replace(
      'rules:\n',
      'rules:\n  - rule: weather in Shanghai\n    condition: [{ slot_was_set: [{ city: 上海 }] }]\n    steps: [{ intent: weather_query }, { action: utter_greet }, { action: weather_query }]\n',
    );
    const ruled = parseDomain(source);
    const sh = await conversation(['上海今天的天气怎么样？'], ruled);
    expect(sh.out[0].reply).toBe('您好，请问有什么可以帮您？\n上海today的天气：晴，气温：25度');
    expect(sh.out[0].actions).toEqual(['rule:weather in Shanghai', 'weather']);
    expect(sh.out[0].intent).toBe('weather_query');
    const bj = await conversation(['北京今天的天气怎么样？'], ruled);
    expect(bj.out[0].actions).toEqual(['weather']);
    const thanks = await conversation(['我要订购一本小说', '谢谢', '《斗破苍穹》']);
    expect(thanks.out[1].reply).toBe('不客气！\n还有什么可以帮您的吗？\n您好，请问您需要订购哪一本小说呢？');
    expect(thanks.out[1].actions).toEqual(['rule:感谢之后问还需要什么', 'resume:order_form', 'ask:product']);
    expect(thanks.out[2].slots.product).toBe('斗破苍穹');
  });

  it('understands entities and intents from the domain alone', () => {
    expect(extractEntities(domain, '明天上海会下雨吗').map((e) => [e.entity, e.value])).toEqual([['date', 'tomorrow'], ['city', '上海']]);
    expect(extractEntities(domain, 'weather in beijing').map((e) => e.value)).toEqual(['北京']);
    expect(extractEntities(domain, '我要两本《斗破苍穹》').map((e) => [e.entity, e.value])).toEqual([['quantity', '2'], ['book', '斗破苍穹']]);
    expect(detectIntent(domain, '我正在浏览T恤衫，请推荐一些')).toMatchObject({ name: 'product_recommendation', via: 'rule' });
    expect(detectIntent(domain, '《斗破苍穹》')).toBeNull();
  });
});

describe('conversation tests', () => {
  it('parses turns and reports each unmet expectation', () => {
    const [t] = parseConversationTests('tests:\n  - name: a\n    turns:\n      - user: hi\n        intent: greet\n        slots: { city: null, date: today }\n        reply: ^Hello\n');
    expect(checkTurn(t.turns[0], { reply: 'Hello!', intent: 'greet', slots: { date: 'today' } })).toEqual([]);
    expect(checkTurn(t.turns[0], { reply: 'Bye', intent: 'goodbye', slots: { city: '北京' } })).toEqual([
      'intent: expected greet, got goodbye',
      'slot city: expected empty, got "北京"',
      'slot date: expected "today", got empty',
      'reply: expected /^Hello/, got "Bye"',
    ]);
    expect(() => parseConversationTests('tests:\n  - name: b\n    turns:\n      - reply: "("\n')).toThrow(/needs user[\s\S]*not a valid regular expression/);
  });
});
