import { StopStringMatcher, stopTokenSet } from './stop-strings';

/** Feeds chunks; returns everything emitted (including flush when not stopped) and the match. */
function run(stops: string[], chunks: string[], includeStopString = false): { text: string; stop?: string; pieces: string[] } {
  const m = new StopStringMatcher(stops, { includeStopString });
  const pieces: string[] = [];
  let stop: string | undefined;
  for (const c of chunks) {
    const r = m.push(c);
    pieces.push(r.text);
    if (r.stopped) {
      stop ??= r.stop;
    }
  }
  pieces.push(m.flush());
  return { text: pieces.join(''), stop, pieces };
}

/** Character-by-character definition: stop at the first position where any stop string ends. */
function reference(stops: string[], text: string): { text: string; stop?: string } {
  for (let end = 1; end <= text.length; end++) {
    const hits = stops.filter((s) => text.slice(0, end).endsWith(s)).sort((a, b) => b.length - a.length);
    if (hits.length) return { text: text.slice(0, end - hits[0].length), stop: hits[0] };
  }
  return { text };
}

describe('StopStringMatcher', () => {
  it('cuts right before a stop string inside one chunk, excluding it', () => {
    expect(run(['END'], ['Hello END world'])).toMatchObject({ text: 'Hello ', stop: 'END' });
  });

  it('matches across chunk boundaries and emits nothing of the stop string', () => {
    const r = run(['###'], ['ab#', '#', '#cd']);
    expect(r.pieces).toEqual(['ab', '', '', '']);
    expect(r.stop).toBe('###');
  });

  it('holds back a possible start and releases it once it cannot be a stop string', () => {
    const m = new StopStringMatcher(['STOP']);
    expect(m.push('go ST')).toEqual({ text: 'go ', stopped: false });
    expect(m.push('x')).toEqual({ text: 'STx', stopped: false });
    expect(m.push('STO')).toEqual({ text: '', stopped: false });
    expect(m.flush()).toBe('STO');
  });

  it('handles overlapping prefixes (aab inside aaab)', () => {
    const r = run(['aab'], ['a', 'a', 'a', 'b']);
    expect(r.pieces).toEqual(['', '', 'a', '', '']);
    expect(r.text).toBe('a');
  });

  it('stops at the very start with empty output', () => {
    expect(run(['<|end|>'], ['<|e', 'nd|> trailing'])).toMatchObject({ text: '', stop: '<|end|>' });
  });

  it('picks the stop string that completes first, then the longer one', () => {
    expect(run(['abcd', 'bc'], ['abcd'])).toMatchObject({ text: 'a', stop: 'bc' });
    expect(run(['b', 'ab'], ['xab'])).toMatchObject({ text: 'x', stop: 'ab' });
  });

  it('works with Chinese and emoji stop strings', () => {
    expect(run(['。'], ['你好', '。再见'])).toMatchObject({ text: '你好', stop: '。' });
    expect(run(['😀!'], ['hi \ud83d', '\ude00', '!'])).toMatchObject({ text: 'hi ', stop: '😀!' });
  });

  it('never emits half of a surrogate pair', () => {
    const r = run(['zz'], ['a\ud83d', '\ude00b']);
    expect(r.pieces[0]).toBe('a');
    expect(r.text).toBe('a😀b');
  });

  it('includes the stop string when asked (vLLM include_stop_str_in_output)', () => {
    expect(run(['END'], ['x EN', 'D y'], true)).toMatchObject({ text: 'x END' });
  });

  it('passes text through without stop strings, and returns nothing after a stop', () => {
    expect(run([], ['a', 'b']).pieces).toEqual(['a', 'b', '']);
    const m = new StopStringMatcher(['.']);
    expect(m.push('done. more').stopped).toBe(true);
    expect(m.push('again')).toEqual({ text: '', stopped: true });
    expect(m.flush()).toBe('');
    expect(m.stopped).toBe(true);
  });

  it('rejects empty stop strings', () => {
    expect(() => new StopStringMatcher([''])).toThrow(/non-empty/);
  });

  it('gives the character-by-character result for every chunking (random texts)', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const alphabet = 'ab c好。';
    for (let trial = 0; trial < 500; trial++) {
      const word = (len: number) => Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
      const stops = Array.from({ length: 1 + rnd(4) }, () => word(1 + rnd(4)));
      const text = word(rnd(30));
      const chunks: string[] = [];
      for (let i = 0; i < text.length; ) {
        const len = rnd(5); // zero-length chunks too
        chunks.push(text.slice(i, i + len));
        i += len;
      }
      const want = reference(stops, text);
      const got = run(stops, chunks);
      expect({ text: got.text, stop: got.stop }).toEqual(want);
      expect(run(stops, [text]).text).toBe(want.text);
    }
  });
});

describe('stopTokenSet', () => {
  it('joins EOS ids and request stop ids, dropping EOS with ignore_eos', () => {
    expect([...stopTokenSet({ eosTokenIds: [50256], stopTokenIds: [13, 50256] })].sort()).toEqual([13, 50256]);
    expect([...stopTokenSet({ eosTokenIds: [50256], stopTokenIds: [13], ignoreEos: true })]).toEqual([13]);
  });
});
