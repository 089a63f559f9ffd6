import type { Domain, Lang, SkillName } from '../domain/domain';
import type { Entity } from '../engine/understand';

/** What a skill sees of a turn. */
export interface SkillContext {
  project: string;
  userId: string;
  sessionId: string;
  assistant: string;
  domain: Domain;
  lang: Lang;
  text: string;
  intent: string;
  entities: Entity[];
  /** the conversation's slots (a skill may return changes) */
  slots: Record<string, string | number>;
  /** what the session was opened with (e.g. the user's city, membership) */
  profile: Record<string, unknown>;
  /** confirm: a form asks "shall I?"; act: do it */
  phase: 'confirm' | 'act';
  /** the messages so far, oldest first (chitchat uses them) */
  history: { role: 'user' | 'bot' | 'agent'; text: string }[];
  /** set when the client streams the reply (SSE): a skill that generates its text passes each new piece here */
  onDelta?: (text: string) => void;
}

export interface SkillResult {
  /** a response name of the domain, rendered with `vars` and the slots */
  response?: string;
  vars?: Record<string, string | number>;
  /** a finished text (generated, or an answer from documents) instead of a response */
  text?: string;
  slots?: Record<string, string | number | null>;
  /** a required slot whose value did not hold (e.g. no such product): the form asks again */
  rejectSlot?: string;
  suggestions?: string[];
  handoff?: boolean;
  /** what the skill did, for the actions list (e.g. order:placed) */
  action?: string;
}

/** One skill: a named capability an intent of the domain triggers. */
export interface Skill {
  readonly name: SkillName;
  run(ctx: SkillContext): Promise<SkillResult>;
}

export const SKILLS_TOKEN = Symbol('DialogueSkills');
