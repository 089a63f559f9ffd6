import { buildAnswerPrompt, citedSources } from './prompt';

describe('answer prompt', () => {
  it('numbers the sources in the user message', () => {
    const [system, user] = buildAnswerPrompt('退货要多久？', [
      { n: 1, text: '退货在七天内\n处理。' },
      { n: 2, text: 'Refunds take 3 days.' },
    ]);
    expect(system.role).toBe('system');
    expect(user.content).toBe('Sources:\n[1] 退货在七天内 处理。\n[2] Refunds take 3 days.\n\nQuestion: 退货要多久？');
  });

  it('reads citations back: [n], [n, m], 【n】, only existing sources, each once', () => {
    expect(citedSources('Seven days [2]. Also [1, 2] and 【3】 but not [9] or [0].', 3)).toEqual([2, 1, 3]);
    expect(citedSources('no citations', 3)).toEqual([]);
  });
});
