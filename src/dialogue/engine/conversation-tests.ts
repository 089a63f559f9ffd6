/**
 * Conversation tests (Rasa's test_stories, as turns): each test is a fresh conversation;
 * each turn sends `user` and may expect an intent, slot values (null = empty) and a reply
 * pattern (a regular expression). A failed turn reports what was expected and what came.
 */
import { load } from 'js-yaml';

export interface TestTurn {
  user: string;
  intent?: string | null;
  slots?: Record<string, string | number | null>;
  reply?: string;
}

export interface ConversationTest {
  name: string;
  profile?: Record<string, unknown>;
  turns: TestTurn[];
}

export interface TurnFailure {
  test: string;
  turn: number;
  user: string;
  problems: string[];
  reply: string;
  intent: string | null;
  slots: Record<string, unknown>;
}

export interface TestReport {
  tests: number;
  turns: number;
  passed: number;
  failed: number;
  failures: TurnFailure[];
}

export class ConversationTestsInvalidError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** Reads a tests file: `tests: [{ name, profile?, turns: [{ user, intent?, slots?, reply? }] }]`. */
export function parseConversationTests(source: string): ConversationTest[] {
  let doc: unknown;
  try {
    doc = load(source);
  } catch (err) {
    throw new ConversationTestsInvalidError([`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const problems: string[] = [];
  const tests = (doc as { tests?: unknown })?.tests;
  if (!Array.isArray(tests) || !tests.length) throw new ConversationTestsInvalidError(['a tests file is a mapping with a non-empty list `tests`']);
  const out: ConversationTest[] = [];
  tests.forEach((t: unknown, i) => {
    const test = t as Partial<ConversationTest>;
    const name = typeof test?.name === 'string' ? test.name : `test ${i + 1}`;
    if (!Array.isArray(test?.turns) || !test.turns.length) return problems.push(`tests[${i}] (${name}): needs a non-empty list turns`);
    test.turns.forEach((turn: Partial<TestTurn>, n) => {
      const where = `tests[${i}] (${name}) turn ${n + 1}`;
      if (typeof turn?.user !== 'string' || !turn.user.trim()) problems.push(`${where}: needs user (the text the user sends)`);
      if (turn?.reply !== undefined) {
        try {
          new RegExp(String(turn.reply), 'u');
        } catch (err) {
          problems.push(`${where}: reply is not a valid regular expression: ${(err as Error).message}`);
        }
      }
      if (turn?.slots !== undefined && (typeof turn.slots !== 'object' || turn.slots === null || Array.isArray(turn.slots))) problems.push(`${where}: slots must be a mapping`);
    });
    out.push({ name, profile: test.profile, turns: test.turns as TestTurn[] });
  });
  if (problems.length) throw new ConversationTestsInvalidError(problems);
  return out;
}

/** What one turn got against what it expected; an empty list is a pass. */
export function checkTurn(expected: TestTurn, got: { reply: string; intent: string | null; slots: Record<string, unknown> }): string[] {
  const problems: string[] = [];
  if (expected.intent !== undefined && expected.intent !== got.intent) problems.push(`intent: expected ${String(expected.intent)}, got ${String(got.intent)}`);
  for (const [slot, want] of Object.entries(expected.slots ?? {})) {
    const have = got.slots[slot];
    if (want === null ? have !== undefined && have !== null : String(have) !== String(want)) problems.push(`slot ${slot}: expected ${want === null ? 'empty' : JSON.stringify(want)}, got ${have === undefined ? 'empty' : JSON.stringify(have)}`);
  }
  if (expected.reply !== undefined && !new RegExp(String(expected.reply), 'u').test(got.reply)) problems.push(`reply: expected /${expected.reply}/, got ${JSON.stringify(got.reply)}`);
  return problems;
}
