import type { ExtractedEntity } from '../../core/types';
import { extractEmails, extractPhones, extractUrls } from './contact';

const slim = (text: string, es: ExtractedEntity[]): [string, string, unknown][] => {
  for (const e of es) expect(text.slice(e.start, e.end)).toBe(e.text);
  return es.map((e) => [e.entity, e.text, e.value]);
};

describe('extractPhones', () => {
  it.each([
    ['13812345678', '+8613812345678'],
    ['138 1234 5678', '+8613812345678'],
    ['138-1234-5678', '+8613812345678'],
    ['+86 138 1234 5678', '+8613812345678'],
    ['+8613812345678', '+8613812345678'],
    ['010-12345678', '+861012345678'],
    ['(0755)1234567', '+867551234567'],
    ['02112345678', '+862112345678'],
    ['+1 415 555 0100', '+14155550100'],
    ['(415) 555-0100', '+14155550100'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('%s -> %s', (text, value) => {
    const values = new Set(slim(text, extractPhones(text)).filter((e) => e[1] === text).map((e) => e[2]));
    expect([...values]).toEqual([value]);
  });

  it('finds a phone inside Chinese text', () => {
    const text = '我的手机号是13912345678，请联系';
    expect(slim(text, extractPhones(text))).toEqual([['phone', '13912345678', '+8613912345678']]);
  });

  it('does not take other numbers for phones', () => {
    for (const text of ['订单号 12345', '2025-03-05', '价格 1,234.56', '12812345678', '1381234567890']) {
      expect(extractPhones(text)).toEqual([]);
    }
  });
});

describe('extractEmails and extractUrls', () => {
  it('finds e-mails and lower-cases them', () => {
    const text = '发邮件到 Zhang.San@Example.COM 或 li+shop@mail.example.cn。';
    expect(slim(text, extractEmails(text))).toEqual([
      ['email', 'Zhang.San@Example.COM', 'zhang.san@example.com'],
      ['email', 'li+shop@mail.example.cn', 'li+shop@mail.example.cn'],
    ]);
    expect(extractEmails('no at sign here')).toEqual([]);
    expect(extractEmails('broken@localhost')).toEqual([]);
  });

  it('finds URLs and trims trailing punctuation', () => {
    const text = '看看 https://shop.example.com/item?id=42。 or www.example.org.';
    expect(slim(text, extractUrls(text))).toEqual([
      ['url', 'https://shop.example.com/item?id=42', 'https://shop.example.com/item?id=42'],
      ['url', 'www.example.org', 'http://www.example.org'],
    ]);
  });
});
