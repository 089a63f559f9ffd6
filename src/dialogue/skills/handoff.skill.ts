import { Injectable } from '@nestjs/common';
import { Skill, SkillResult } from './skill';

/** Marks the conversation for a person (GET /api/v1/dialogue/handoffs); the bot is silent until an agent hands it back. */
@Injectable()
export class HandoffSkill implements Skill {
  readonly name = 'handoff' as const;

  run(): Promise<SkillResult> {
    return Promise.resolve({ response: 'handoff', handoff: true, action: 'requested' });
  }
}
