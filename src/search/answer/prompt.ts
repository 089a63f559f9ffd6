/** The grounded-answer prompt and the citations read back from an answer. Plain TypeScript. */

export interface PromptSource {
  n: number;
  text: string;
}

// short: small models have small contexts, and every source needs room
const SYSTEM = "Answer from the numbered sources only, citing them as [n]. Answer in the question's language.";

export function buildAnswerPrompt(question: string, sources: PromptSource[]): { role: 'system' | 'user'; content: string }[] {
  const listed = sources.map((s) => `[${s.n}] ${s.text.replace(/\s+/g, ' ').trim()}`).join('\n');
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Sources:\n${listed}\n\nQuestion: ${question}` },
  ];
}

/** The distinct [n] (also [n, m] and 【n】) the answer cites, in order of first citation, within 1..count. */
export function citedSources(answer: string, count: number): number[] {
  const out: number[] = [];
  for (const m of answer.matchAll(/[[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]/gu)) {
    for (const part of m[1].split(/[,，、]/u)) {
      const n = Number(part.trim());
      if (n >= 1 && n <= count && !out.includes(n)) out.push(n);
    }
  }
  return out;
}
