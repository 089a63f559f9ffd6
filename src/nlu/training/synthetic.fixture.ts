/**
 * A small synthetic zh/en NLU set for the training tests and the timing measurements:
 * templates with {city}/{date}/{category} slots (annotated as entities) and {artist}/{num}
 * fillers (left unannotated, so the tagger must learn to skip them). Each intent has
 * training templates and separate held-out paraphrase templates, so tests can check
 * generalization to wordings never seen in training. Independent of src/nlu/data/.
 */
import type { EntityAnnotation, TrainingExample } from '../core/types';
import { Rng } from './rng';

interface IntentTemplates {
  train: string[];
  heldOut: string[];
}

export const SYNTHETIC_INTENTS: Record<string, IntentTemplates> = {
  weather_query: {
    train: ['{date}{city}天气怎么样', '{city}{date}会下雨吗', '帮我查一下{city}{date}的天气', '{date}{city}气温多少度', "what's the weather in {city} {date}", 'will it rain in {city} {date}', 'weather forecast for {city} {date}'],
    heldOut: ['{city}{date}的天气冷不冷', '想知道{date}{city}天气如何', 'how is the weather going to be in {city} {date}', 'is it going to rain in {city} {date}'],
  },
  book_flight: {
    train: ['帮我订一张{date}去{city}的机票', '我想{date}飞{city}', '预订{date}到{city}的航班', 'book a flight to {city} {date}', 'I need a plane ticket to {city} {date}', 'find flights to {city} for {date}'],
    heldOut: ['{date}有去{city}的航班吗', '给我订{date}飞往{city}的机票', 'can you book me a flight to {city} {date}', 'get me a plane ticket for {city} {date}'],
  },
  order_status: {
    train: ['我的订单{num}到哪了', '查询订单{num}的物流', '订单{num}什么时候发货', 'where is my order {num}', 'track order {num}', 'has order {num} shipped yet'],
    heldOut: ['帮我查查订单{num}的物流状态', '订单{num}发货了吗', 'what is the status of my order {num}', 'when will order {num} ship'],
  },
  recommend_product: {
    train: ['给我推荐一些{category}', '有什么好的{category}推荐吗', '我想买{category}', 'recommend some {category}', 'what {category} should I buy', 'suggest some good {category}'],
    heldOut: ['推荐几款好用的{category}', '买什么{category}比较好', 'can you recommend good {category}', 'which {category} should I get'],
  },
  greet: {
    train: ['你好', '早上好', '嗨，在吗', '您好啊', 'hello', 'hi there', 'good morning', 'hey'],
    heldOut: ['你好呀', '晚上好', 'hello there', 'good evening'],
  },
  goodbye: {
    train: ['再见', '拜拜', '下次再聊', '先这样吧，再见', 'bye', 'goodbye', 'see you later', 'talk to you later'],
    heldOut: ['好的，再见啦', '拜拜啦', 'bye bye', 'see you soon'],
  },
  play_music: {
    train: ['播放一首{artist}的歌', '我想听音乐', '来点轻音乐', 'play some music', 'play a song by {artist}', 'put on some jazz music'],
    heldOut: ['放一首{artist}的歌听听', '我想听{artist}的音乐', 'play me a song by {artist}', 'I want to listen to some music'],
  },
  set_alarm: {
    train: ['{date}早上七点叫醒我', '设置一个{date}八点的闹钟', '帮我定个闹钟', 'set an alarm for {date} at 7', 'wake me up {date} at six', 'set an alarm please'],
    heldOut: ['帮我设个{date}六点的闹钟', '{date}七点叫我起床', 'please set an alarm for {date}', 'wake me up at 7 {date}'],
  },
};

const FILLERS: Record<'zh' | 'en', Record<string, string[]>> = {
  zh: {
    city: ['北京', '上海', '广州', '深圳', '杭州', '成都', '南京', '武汉', '西安', '重庆'],
    date: ['明天', '今天', '后天', '下周一', '周末', '3月5日', '下个月'],
    category: ['手机', '笔记本电脑', '耳机', '运动鞋', '咖啡机', '书'],
    artist: ['周杰伦', '王菲', '陈奕迅', '邓紫棋'],
  },
  en: {
    city: ['Beijing', 'Shanghai', 'London', 'Paris', 'New York', 'Tokyo', 'Berlin', 'Sydney', 'Boston', 'Seattle'],
    date: ['tomorrow', 'today', 'next Monday', 'this weekend', 'on Friday', 'March 5'],
    category: ['phones', 'laptops', 'headphones', 'running shoes', 'coffee makers', 'books'],
    artist: ['Taylor Swift', 'Adele', 'the Beatles', 'Coldplay'],
  },
};
const ANNOTATED = new Set(['city', 'date', 'category']);

/** Fills one template; returns the text and its entity annotations with exact offsets. */
export function fillTemplate(template: string, rng: Rng): TrainingExample {
  const lang = /\p{Script=Han}/u.test(template) ? 'zh' : 'en';
  let text = '';
  const entities: EntityAnnotation[] = [];
  let pos = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    text += template.slice(pos, m.index);
    const slot = m[1];
    const value = slot === 'num' ? String(10000 + rng.int(9_990_000)) : pick(FILLERS[lang][slot], rng);
    if (ANNOTATED.has(slot)) entities.push({ entity: slot, start: text.length, end: text.length + value.length });
    text += value;
    pos = m.index + m[0].length;
  }
  text += template.slice(pos);
  return { text, intent: '', entities, lang };
}

function pick<T>(arr: T[], rng: Rng): T {
  return arr[rng.int(arr.length)];
}

/** `perTemplate` fillings of every training (or held-out) template of every intent. */
export function syntheticExamples(perTemplate: number, seed: number, which: 'train' | 'heldOut' = 'train'): TrainingExample[] {
  const rng = new Rng(seed);
  const out: TrainingExample[] = [];
  for (const [intent, t] of Object.entries(SYNTHETIC_INTENTS)) {
    for (const template of t[which]) {
      for (let i = 0; i < perTemplate; i++) out.push({ ...fillTemplate(template, rng), intent });
    }
  }
  return out;
}

const ZH_NOISE = ['请', '麻烦', '那个', '嗯', '谢谢', '急', '在线等'];
const EN_NOISE = ['please', 'thanks', 'um', 'hey', 'quickly', 'ok', 'now'];

/**
 * `n` examples drawn at random from the training templates, with random politeness and
 * filler words so the set has the feature diversity of real data (for timing runs).
 * `intents` > 8 relabels examples into more classes (for timing only: labels become noisy).
 */
export function syntheticLargeSet(n: number, seed: number, intents = 8): TrainingExample[] {
  const rng = new Rng(seed);
  const names = Object.keys(SYNTHETIC_INTENTS);
  const out: TrainingExample[] = [];
  for (let i = 0; i < n; i++) {
    const intent = names[rng.int(names.length)];
    const ex = fillTemplate(pick(SYNTHETIC_INTENTS[intent].train, rng), rng);
    const noise = ex.lang === 'zh' ? ZH_NOISE : EN_NOISE;
    const sep = ex.lang === 'zh' ? '' : ' ';
    let text = ex.text;
    if (rng.next() < 0.5) text = `${text}${sep}${pick(noise, rng)}`;
    let shift = 0;
    if (rng.next() < 0.5) {
      const prefix = `${pick(noise, rng)}${ex.lang === 'zh' ? '，' : ', '}`;
      text = prefix + text;
      shift = prefix.length;
    }
    const label = intents > names.length ? `${intent}_${rng.int(Math.ceil(intents / names.length))}` : intent;
    out.push({ text, intent: label, lang: ex.lang, entities: ex.entities.map((e) => ({ ...e, start: e.start + shift, end: e.end + shift })) });
  }
  return out;
}
