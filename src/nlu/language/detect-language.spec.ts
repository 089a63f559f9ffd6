import { detectLanguage } from './detect-language';

describe('detectLanguage', () => {
  it.each([
    '今天的天气怎么样？',
    '我要订购一本小说',
    '《斗破苍穹》',
    '我正在浏览T恤衫，请推荐一些',
    '我想买iPhone',
    '我要买一个iPhone 15 Pro Max',
    '請問這本書多少錢', // Traditional Chinese
    '北京',
  ])('%s is zh', (text) => {
    expect(detectLanguage(text).lang).toBe('zh');
  });

  it.each([
    "What's the weather like tomorrow?",
    'I want to order a novel',
    'I love 北京',
    'Tell me about 《斗破苍穹》 please',
    'Show me some t-shirts',
    'iPhone',
    'I would like a café au lait',
  ])('%s is en', (text) => {
    expect(detectLanguage(text).lang).toBe('en');
  });

  it.each([
    'Bonjour, je voudrais un croissant',
    "Quel temps fait-il aujourd'hui ?",
    'Hola, ¿cómo estás?',
    'Quiero comprar una camiseta',
    'Guten Tag, wie geht es dir?',
    'Ich möchte ein Buch kaufen',
    'Vorrei un caffè, grazie',
    'Obrigado, bom dia',
    'Hallo, ik wil een boek',
    'Tôi muốn mua một cuốn sách', // Vietnamese
    'こんにちは、元気ですか', // Japanese
    '東京の天気はどうですか', // Japanese with kanji
    '안녕하세요', // Korean
    'Привет, как дела?', // Russian
    'مرحبا كيف حالك', // Arabic
    '12345',
    '😀😀👍',
    '   ',
    '',
  ])('%s is other', (text) => {
    expect(detectLanguage(text).lang).toBe('other');
  });

  it('gives confidences in [0, 1] that reflect the evidence', () => {
    const strong = detectLanguage('What is the weather like in Shanghai tomorrow?');
    const weak = detectLanguage('iPhone');
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
    expect(weak.confidence).toBeGreaterThan(0);
    expect(strong.confidence).toBeLessThanOrEqual(1);
    expect(detectLanguage('今天的天气怎么样？').confidence).toBe(1);
    const mixed = detectLanguage('我想买iPhone');
    expect(mixed.confidence).toBeLessThan(1);
    expect(mixed.confidence).toBeGreaterThan(0.5);
    expect(detectLanguage('12345')).toEqual({ lang: 'other', confidence: 1 });
  });
});
