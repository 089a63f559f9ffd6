import type { Lang } from '../../core/types';
import { extractDateTimes } from './datetime';

// Reference: Wednesday 2026-11-25 10:00 in Shanghai, as in datetime.spec.ts.
const NOW = new Date('2026-11-25T02:00:00Z');
const found = (text: string, lang: Lang = 'zh') =>
  extractDateTimes(text, { now: () => NOW, timeZone: 'Asia/Shanghai', lang }).map((e) => [e.entity, e.text, e.value]);

describe('holidays', () => {
  it.each([
    // the next occurrence on or after today
    ['双十一有什么优惠', '双十一', '2027-11-11'],
    ['双11快乐', '双11', '2027-11-11'],
    ['双十二打折吗', '双十二', '2026-12-12'],
    ['圣诞节快乐', '圣诞节', '2026-12-25'],
    ['国庆去哪玩', '国庆', '2027-10-01'],
    ['青岛五一期间天气咋样', '五一', '2027-05-01'],
    ['有没有618大促', '618', '2027-06-18'],
    ['感恩节', '感恩节', '2026-11-26'],
    ['黑五打折吗', '黑五', '2026-11-27'],
    // lunar: 2027's new year is 02-06 (ICU says 02-07), 除夕 the day before, 元宵节 the 15th
    ['三亚春节的时候天气热吗', '春节', '2027-02-06'],
    ['除夕', '除夕', '2027-02-05'],
    ['元宵节', '元宵节', '2027-02-20'],
    ['端午节放假吗', '端午节', '2027-06-09'],
    ['中秋节', '中秋节', '2027-09-15'],
    // a year in front picks the year
    ['明年中秋节是哪天', '明年中秋节', '2027-09-15'],
    ['去年国庆', '去年国庆', '2025-10-01'],
  ])('%s -> %s %s', (text, surface, value) => {
    expect(found(text)).toContainEqual(['date', surface, value]);
  });

  it.each([
    ['what is the forecast for Christmas', 'Christmas', '2026-12-25'],
    ['will it snow in Toronto on Christmas Eve', 'Christmas Eve', '2026-12-24'],
    ['any Black Friday deals', 'Black Friday', '2026-11-27'],
    ['Singles Day sale?', 'Singles Day', '2027-11-11'],
    ["singles' day", "singles' day", '2027-11-11'],
    ['Thanksgiving dinner', 'Thanksgiving', '2026-11-26'],
    ['Cyber Monday', 'Cyber Monday', '2026-11-30'],
    ["Mother's Day gifts", "Mother's Day", '2027-05-09'],
    ['Chinese New Year', 'Chinese New Year', '2027-02-06'],
  ])('%s -> %s %s', (text, surface, value) => {
    expect(found(text, 'en')).toContainEqual(['date', surface, value]);
  });

  it('joins with a part of the day like any other day', () => {
    expect(found('Christmas morning', 'en')).toEqual([['datetime_range', 'Christmas morning', { start: '2026-12-25T06:00', end: '2026-12-25T12:00' }]]);
    expect(found('除夕晚上')).toEqual([['datetime_range', '除夕晚上', { start: '2027-02-05T18:00', end: '2027-02-06T00:00' }]]);
  });

  it('leaves streets, plain numbers and the dumpling alone', () => {
    expect(found('五一路怎么走')).toEqual([]);
    expect(found('房间号是618')).toEqual([]);
    expect(found('二十五一')).toEqual([]);
    expect(found('买元宵')).toEqual([]);
    expect(found('Black Friday', 'en')).not.toContainEqual(expect.arrayContaining(['Friday']));
  });
});
