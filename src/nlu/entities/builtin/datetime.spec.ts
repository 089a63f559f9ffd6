import type { ExtractedEntity, Lang } from '../../core/types';
import { InvalidTimeZoneError } from './calendar';
import { extractDateTimes } from './datetime';

// Reference: Wednesday 2026-11-25 10:00 in Shanghai (02:00 UTC).
const NOW = new Date('2026-11-25T02:00:00Z');
const TZ = 'Asia/Shanghai';

function dates(text: string, lang: Lang = 'zh', timeZone = TZ): [string, string, unknown][] {
  const es: ExtractedEntity[] = extractDateTimes(text, { now: () => NOW, timeZone, lang });
  for (const e of es) {
    expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(e.extractor).toBe('builtin');
  }
  return es.map((e) => [e.entity, e.text, e.value]);
}

const one = (text: string, lang: Lang = 'zh'): [string, unknown] => {
  const found = dates(text, lang);
  expect(found).toHaveLength(1);
  expect(found[0][1]).toBe(text);
  return [found[0][0], found[0][2]];
};

describe('Chinese dates', () => {
  it.each([
    ['今天', '2026-11-25'],
    ['明天', '2026-11-26'],
    ['后天', '2026-11-27'],
    ['大后天', '2026-11-28'],
    ['昨天', '2026-11-24'],
    ['前天', '2026-11-23'],
    ['下周一', '2026-11-30'],
    ['这周五', '2026-11-27'],
    ['这周一', '2026-11-23'],
    ['上周五', '2026-11-20'],
    ['下个星期三', '2026-12-02'],
    ['周三', '2026-11-25'],
    ['周一', '2026-11-30'],
    ['星期天', '2026-11-29'],
    ['礼拜六', '2026-11-28'],
    ['3月5日', '2027-03-05'],
    ['12月1日', '2026-12-01'],
    ['11月25号', '2026-11-25'],
    ['2025年3月5日', '2025-03-05'],
    ['二〇二五年三月五日', '2025-03-05'],
    ['明年3月5日', '2027-03-05'],
    ['十二月二十五号', '2026-12-25'],
    ['下个月5号', '2026-12-05'],
    ['30号', '2026-11-30'],
    ['5号', '2026-12-05'],
    ['三天后', '2026-11-28'],
    ['两周后', '2026-12-09'],
    ['一个月后', '2026-12-25'],
    ['3天前', '2026-11-22'],
    ['2025-03-05', '2025-03-05'],
  ])('%s -> %s', (text, value) => {
    expect(one(text)).toEqual(['date', value]);
  });

  it.each([
    ['本周末', '2026-11-28', '2026-11-29'],
    ['下周末', '2026-12-05', '2026-12-06'],
    ['周末', '2026-11-28', '2026-11-29'],
    ['下周', '2026-11-30', '2026-12-06'],
    ['本周', '2026-11-23', '2026-11-29'],
    ['下个月', '2026-12-01', '2026-12-31'],
    ['这个月', '2026-11-01', '2026-11-30'],
    ['明年', '2027-01-01', '2027-12-31'],
    ['3月份', '2027-03-01', '2027-03-31'],
  ])('%s -> %s..%s', (text, start, end) => {
    expect(one(text)).toEqual(['date_range', { start, end }]);
  });

  it('finds the date in the product example', () => {
    expect(dates('今天的天气怎么样？')).toEqual([['date', '今天', '2026-11-25']]);
  });

  it('rejects impossible dates and building numbers', () => {
    expect(dates('2月30日')).toEqual([]);
    expect(dates('坐5号线')).toEqual([]);
  });
});

describe('Chinese times', () => {
  it.each([
    ['早上八点', '2026-11-26T08:00'], // 08:00 has passed today
    ['下午3点半', '2026-11-25T15:30'],
    ['晚上7:30', '2026-11-25T19:30'],
    ['今晚8点', '2026-11-25T20:00'],
    ['明天下午3点', '2026-11-26T15:00'],
    ['明天早上8点', '2026-11-26T08:00'],
    ['明天3点', '2026-11-26T15:00'], // business hours on another day
    ['3点', '2026-11-25T15:00'], // the next 3 o'clock
    ['八点一刻', '2026-11-25T20:15'],
    ['8点05分', '2026-11-25T20:05'],
    ['中午12点', '2026-11-25T12:00'],
    ['中午1点', '2026-11-25T13:00'],
    ['晚上12点', '2026-11-26T00:00'],
    ['凌晨2点', '2026-11-26T02:00'],
    ['下周一早上八点', '2026-11-30T08:00'],
    ['3月5日下午2点', '2027-03-05T14:00'],
    ['明天的下午3点', '2026-11-26T15:00'],
    ['三小时后', '2026-11-25T13:00'],
    ['半小时后', '2026-11-25T10:30'],
    ['一个半小时后', '2026-11-25T11:30'],
    ['20分钟前', '2026-11-25T09:40'],
  ])('%s -> %s', (text, value) => {
    expect(one(text)).toEqual(['datetime', value]);
  });

  it.each([
    ['今晚', '2026-11-25T18:00', '2026-11-26T00:00'],
    ['明天下午', '2026-11-26T12:00', '2026-11-26T18:00'],
    ['明早', '2026-11-26T06:00', '2026-11-26T12:00'],
  ])('%s -> %s..%s', (text, start, end) => {
    expect(one(text)).toEqual(['datetime_range', { start, end }]);
  });

  it('leaves words that only look like times alone', () => {
    expect(dates('便宜一点')).toEqual([]);
    expect(dates('早上好')).toEqual([]);
    expect(dates('请推荐一些')).toEqual([]);
    expect(dates('3点5折')).toEqual([['datetime', '3点', '2026-11-25T15:00']]);
  });

  it('keeps separate expressions apart', () => {
    expect(dates('周一到周五')).toEqual([
      ['date', '周一', '2026-11-30'],
      ['date', '周五', '2026-11-27'],
    ]);
  });
});

describe('English dates', () => {
  it.each([
    ['today', '2026-11-25'],
    ['tomorrow', '2026-11-26'],
    ['yesterday', '2026-11-24'],
    ['the day after tomorrow', '2026-11-27'],
    ['next Monday', '2026-11-30'],
    ['next Friday', '2026-12-04'],
    ['this Friday', '2026-11-27'],
    ['on Monday', '2026-11-30'],
    ['Friday', '2026-11-27'],
    ['on Wednesday', '2026-11-25'],
    ['last Friday', '2026-11-20'],
    ['March 5', '2027-03-05'],
    ['March 5th, 2025', '2025-03-05'],
    ['5th of March', '2027-03-05'],
    ['the 5th of March 2025', '2025-03-05'],
    ['Dec 1', '2026-12-01'],
    ['on the 30th', '2026-11-30'],
    ['2025-03-05', '2025-03-05'],
    ['3/5/2025', '2025-03-05'],
    ['25/12/2026', '2026-12-25'],
    ['in 3 days', '2026-11-28'],
    ['in a week', '2026-12-02'],
    ['2 weeks ago', '2026-11-11'],
    ['in two months', '2027-01-25'],
  ])('%s -> %s', (text, value) => {
    expect(one(text, 'en')).toEqual(['date', value]);
  });

  it.each([
    ['next week', '2026-11-30', '2026-12-06'],
    ['this weekend', '2026-11-28', '2026-11-29'],
    ['next month', '2026-12-01', '2026-12-31'],
    ['in March', '2027-03-01', '2027-03-31'],
  ])('%s -> %s..%s', (text, start, end) => {
    expect(one(text, 'en')).toEqual(['date_range', { start, end }]);
  });

  it('reads slash dates day-first for other languages', () => {
    expect(dates('3/5/2025', 'other')).toEqual([['date', '3/5/2025', '2025-05-03']]);
  });

  it('does not take words for dates', () => {
    expect(dates('I sat in the sun', 'en')).toEqual([]);
    expect(dates('3 may be enough', 'en')).toEqual([]);
    expect(dates('good morning', 'en')).toEqual([]);
    expect(dates('look at 3 options', 'en')).toEqual([]);
  });
});

describe('English times', () => {
  it.each([
    ['at 5pm', '2026-11-25T17:00'],
    ['7:30 am', '2026-11-26T07:30'],
    ['at 5', '2026-11-25T17:00'],
    ['at 11', '2026-11-25T11:00'],
    ['at 9', '2026-11-25T21:00'],
    ['17:30', '2026-11-25T17:30'],
    ['noon', '2026-11-25T12:00'],
    ['midnight', '2026-11-26T00:00'],
    ['half past 7', '2026-11-25T19:30'],
    ['quarter to 9 am', '2026-11-26T08:45'],
    ["five o'clock", '2026-11-25T17:00'],
    ['tonight at 8', '2026-11-25T20:00'],
    ['tomorrow at 5pm', '2026-11-26T17:00'],
    ['at 5pm tomorrow', '2026-11-26T17:00'],
    ['next Monday at 7:30 am', '2026-11-30T07:30'],
    ['at 5pm on Friday', '2026-11-27T17:00'],
    ['tomorrow at 3', '2026-11-26T15:00'],
    ['8 in the evening', '2026-11-25T20:00'],
    ['in 20 minutes', '2026-11-25T10:20'],
    ['in half an hour', '2026-11-25T10:30'],
    ['in 16 hours', '2026-11-26T02:00'],
    ['2 hours ago', '2026-11-25T08:00'],
  ])('%s -> %s', (text, value) => {
    expect(one(text, 'en')).toEqual(['datetime', value]);
  });

  it.each([
    ['tonight', '2026-11-25T18:00', '2026-11-26T00:00'],
    ['tomorrow morning', '2026-11-26T06:00', '2026-11-26T12:00'],
    ['this afternoon', '2026-11-25T12:00', '2026-11-25T18:00'],
    ['last night', '2026-11-24T21:00', '2026-11-25T05:00'],
  ])('%s -> %s..%s', (text, start, end) => {
    expect(one(text, 'en')).toEqual(['datetime_range', { start, end }]);
  });

  it('finds dates inside a sentence', () => {
    expect(dates('Book a table for next Friday at 7:30 pm please', 'en')).toEqual([
      ['datetime', 'next Friday at 7:30 pm', '2026-12-04T19:30'],
    ]);
  });
});

describe('time zones', () => {
  it('resolves relative dates in the given zone', () => {
    // 02:00 UTC is still the evening of the 24th in Los Angeles.
    expect(dates('today', 'en', 'America/Los_Angeles')).toEqual([['date', 'today', '2026-11-24']]);
    expect(dates('明天', 'zh', 'America/Los_Angeles')).toEqual([['date', '明天', '2026-11-25']]);
    expect(dates('at 9pm', 'en', 'America/Los_Angeles')).toEqual([['datetime', 'at 9pm', '2026-11-24T21:00']]);
    expect(dates('today', 'en', 'UTC')).toEqual([['date', 'today', '2026-11-25']]);
  });

  it('refuses an unknown zone', () => {
    expect(() => extractDateTimes('today', { timeZone: 'Mars/Olympus' })).toThrow(InvalidTimeZoneError);
  });

  it('uses the current time when no clock is given', () => {
    const [e] = extractDateTimes('today', { timeZone: 'UTC' });
    expect(e.value).toBe(new Date().toISOString().slice(0, 10));
  });
});
