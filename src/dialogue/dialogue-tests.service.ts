import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BadInputError } from '../common/errors';
import { DialogueService } from './dialogue.service';
import { checkTurn, ConversationTestsInvalidError, parseConversationTests, TestReport } from './engine/conversation-tests';

/** Runs a conversation-tests file against an assistant: each test in a fresh session of a throw-away user, deleted afterwards. */
@Injectable()
export class DialogueTestsService {
  constructor(private readonly dialogue: DialogueService) {}

  async run(project: string, assistant: string, source: string): Promise<TestReport> {
    let tests;
    try {
      tests = parseConversationTests(source);
    } catch (err) {
      if (err instanceof ConversationTestsInvalidError) throw new BadInputError(`The tests file has ${err.problems.length} problem(s): ${err.message}`, err.problems);
      throw err;
    }
    const report: TestReport = { tests: tests.length, turns: 0, passed: 0, failed: 0, failures: [] };
    for (const test of tests) {
      const user = `conversation-test:${randomUUID()}`;
      const session = await this.dialogue.open(project, user, assistant, test.profile ?? {});
      try {
        for (const [n, turn] of test.turns.entries()) {
          report.turns++;
          const got = await this.dialogue.message(project, user, session.id, turn.user);
          const result = { reply: got.reply, intent: got.intent?.name ?? null, slots: got.slots };
          const problems = checkTurn(turn, result);
          if (problems.length) {
            report.failed++;
            report.failures.push({ test: test.name, turn: n + 1, user: turn.user, problems, ...result });
          } else report.passed++;
        }
      } finally {
        await this.dialogue.remove(project, user, session.id);
      }
    }
    return report;
  }
}
