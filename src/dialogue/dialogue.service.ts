import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { BadInputError, ConflictError, NotFoundError, UnavailableError } from '../common/errors';
import { NluService } from '../nlu/nlu.service';
import { AssistantsService } from './assistants.service';
import { DIALOGUE_SETTINGS, DialogueSettings } from './dialogue-settings';
import { DialogueRepository, MessageRow, SessionRow } from './dialogue.repository';
import { TurnSession, TurnsRepository, TurnWrite } from './turns.repository';
import type { Domain, Lang } from './domain/domain';
import { answeredWithoutIntent, emptyState, Tracker } from './engine/tracker';
import { DetectedIntent, detectIntent, Entity, extractEntities, languageOf } from './engine/understand';
import { Skill, SKILLS_TOKEN, SkillContext } from './skills/skill';

export interface TurnReply {
  sessionId: string;
  reply: string;
  language: Lang;
  intent: { name: string; confidence: number; via: DetectedIntent['via'] | null } | null;
  entities: Entity[];
  slots: Record<string, string | number>;
  actions: string[];
  suggestions: string[];
  /** bot: the assistant answers; handoff: a person is wanted (the bot stays silent) */
  status: 'bot' | 'handoff';
  /** true when this is the stored answer to a message the client sent before (same `id`) */
  replayed?: boolean;
}

export interface SessionView {
  id: string;
  assistant: string;
  userId: string;
  status: 'bot' | 'handoff';
  slots: Record<string, string | number>;
  form: string | null;
  profile: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export const MAX_TEXT = 2000;
/** a client's name for a message (idempotency): printable ASCII, no spaces */
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Conversations: a session per end user and assistant, one turn at a time per session (a
 * ticket taken in the database, so replicas keep the order too: docs/decisions/0011), the
 * tracker's state stored with the turn's messages.
 */
@Injectable()
export class DialogueService {
  /** wakes this replica's waiters when a turn of a session is committed (other replicas poll) */
  private readonly served = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly repo: DialogueRepository,
    private readonly turns: TurnsRepository,
    private readonly assistants: AssistantsService,
    private readonly nlu: NluService,
    @Inject(SKILLS_TOKEN) private readonly skills: Skill[],
    @Inject(DIALOGUE_SETTINGS) private readonly settings: DialogueSettings,
  ) {}

  async open(project: string, userId: string, assistant: string, profile: Record<string, unknown> = {}): Promise<SessionView> {
    const created = await this.repo.createSession(project, assistant, userId, emptyState(), profile, this.assistants.bundledFallback(project, assistant));
    if (!created) throw this.assistants.noSuchAssistant(assistant);
    return view(created);
  }

  async get(project: string, userId: string, id: string): Promise<SessionView> {
    return view(await this.session(project, userId, id));
  }

  async remove(project: string, userId: string, id: string): Promise<void> {
    if (!(await this.repo.deleteSession(project, userId, id))) throw this.notFound(id);
  }

  async history(project: string, userId: string, id: string, limit: number, offset: number): Promise<{ messages: MessageRow[]; total: number }> {
    await this.session(project, userId, id);
    return this.repo.messages(id, limit, offset);
  }

  /** The REST channel's session: the sender's latest with this assistant, or a new one. */
  async channelSession(project: string, sender: string, assistant: string): Promise<string> {
    const found = await this.repo.latestSession(project, assistant, sender);
    return found ? found.id : (await this.open(project, sender, assistant)).id;
  }

  /**
   * One user message: waits for the session's earlier turns, runs the tracker, commits state and
   * messages together. A message the client named (`clientId`) that the session has already
   * answered is answered again from the stored turn, without a second turn (a resend after a
   * lost response, through any replica).
   */
  async message(project: string, userId: string | null, id: string, text: string, clientId?: string, onDelta?: (text: string) => void): Promise<TurnReply> {
    if (typeof text !== 'string' || !text.trim()) throw new BadInputError('text must be a non-empty string', { field: 'text' });
    if (text.length > MAX_TEXT) throw new BadInputError(`text is ${text.length} characters; at most ${MAX_TEXT}`, { field: 'text' });
    if (clientId !== undefined && (typeof clientId !== 'string' || !CLIENT_ID.test(clientId))) {
      throw new BadInputError('id must be 1-128 printable ASCII characters without spaces', { field: 'id' });
    }
    if (clientId !== undefined) {
      const stored = await this.replay(project, userId, id, clientId, text);
      if (stored) return stored;
    }
    const taken = await this.turns.takeTicket(project, userId, id);
    if (taken === null) throw this.notFound(id);
    const { ticket } = taken;
    let committed = false;
    try {
      const session = taken.session ?? (await this.waitTurn(id, ticket));
      // the first send may have been answered while this one waited for its turn
      const stored = clientId === undefined ? null : await this.replay(project, userId, id, clientId, text);
      if (stored) return stored;
      const reply = await this.turn(session, ticket, text, clientId, onDelta);
      committed = true;
      return reply;
    } finally {
      if (!committed) await this.turns.finishTurn(id, ticket, { project, messages: [] });
      this.served.emit(id);
    }
  }

  /** The stored answer to the message named `clientId`; a different text under the same id is a 409. */
  private async replay(project: string, userId: string | null, id: string, clientId: string, text: string): Promise<TurnReply | null> {
    const found = await this.repo.answered(project, userId, id, clientId);
    if (!found) return null;
    if (found.user.text !== text) throw new ConflictError(`Message id ${clientId} was already used in this session for a different text`, { field: 'id' });
    const asked = found.user.data as { intent?: TurnReply['intent']; entities?: Entity[] };
    const answer = found.bot?.data as { actions?: string[]; suggestions?: string[]; slots?: TurnReply['slots']; status?: TurnReply['status'] } | undefined;
    return {
      sessionId: id,
      reply: found.bot?.text ?? '',
      language: languageOf(found.user.text),
      intent: asked.intent ?? null,
      entities: asked.entities ?? [],
      slots: answer ? (answer.slots ?? {}) : found.slots,
      actions: answer ? (answer.actions ?? []) : ['handoff:waiting'],
      suggestions: answer?.suggestions ?? [],
      status: answer ? (answer.status ?? 'bot') : 'handoff',
      replayed: true,
    };
  }

  private async turn(session: TurnSession, ticket: number, text: string, clientId?: string, onDelta?: (text: string) => void): Promise<TurnReply> {
    const lang = languageOf(text);
    const base = { sessionId: session.id, language: lang, entities: [] as Entity[], actions: [] as string[], suggestions: [] as string[] };
    if (session.status === 'handoff') {
      await this.commit(session.id, ticket, clientId, { project: session.projectId, messages: [{ role: 'user', text, data: { waiting: true }, clientId }] });
      return { ...base, reply: '', intent: null, slots: session.state.slots, actions: ['handoff:waiting'], status: 'handoff' };
    }
    const domain = this.assistants.resolved(session.projectId, session.assistant, session.uploadedDomain);
    const { detected, entities } = answeredWithoutIntent(session.state, text) ? { detected: null, entities: extractEntities(domain, text) } : await this.understand(session.projectId, domain, text);
    const tracker = new Tracker(domain, lang, (intent, phase, slots) => this.runSkill(session, domain, { text, lang, intent, phase, slots: { ...slots }, entities, onDelta }));
    const out = await tracker.turn(session.state, text, detected, entities);
    const status = out.handoff ? 'handoff' : 'bot';
    const intent = out.intent ? { name: out.intent, confidence: detected?.name === out.intent ? detected.confidence : 1, via: detected?.name === out.intent ? detected.via : null } : null;
    await this.commit(session.id, ticket, clientId, {
      project: session.projectId,
      state: out.state,
      status,
      messages: [
        { role: 'user', text, data: { intent, entities }, clientId },
        { role: 'bot', text: out.reply, data: { actions: out.actions, suggestions: out.suggestions, slots: out.slots, status } },
      ],
    });
    return { ...base, reply: out.reply, intent, entities, slots: out.slots, actions: out.actions, suggestions: out.suggestions, status };
  }

  /** finishTurn; a named message stored meanwhile (only by a turn given up for running too long that finished after all) is a 409. */
  private async commit(id: string, ticket: number, clientId: string | undefined, turn: TurnWrite): Promise<void> {
    try {
      await this.turns.finishTurn(id, ticket, turn);
    } catch (err) {
      if (clientId !== undefined && (err as { code?: string }).code === '23505') throw new ConflictError(`Message id ${clientId} was answered meanwhile by an earlier send; send it again for that answer`, { field: 'id' });
      throw err;
    }
  }

  /**
   * Intent: the domain's patterns and keywords first; else the project's trained NLU model
   * when it has one and names an intent of this domain; else the nearest domain example.
   */
  private async understand(project: string, domain: Domain, text: string): Promise<{ detected: DetectedIntent | null; entities: Entity[] }> {
    const entities = extractEntities(domain, text);
    const rule = detectIntent(domain, text, this.settings.exampleSimilarity);
    if (rule?.via === 'rule') return { detected: rule, entities };
    try {
      const parsed = await this.nlu.parse(text, undefined, { project });
      for (const e of parsed.entities) {
        if (!(e.entity in domain.entities) || entities.some((x) => x.entity === e.entity || (x.start < e.end && e.start < x.end))) continue;
        entities.push({ entity: e.entity, value: typeof e.value === 'string' ? e.value : e.text, text: e.text, start: e.start, end: e.end });
      }
      if (!parsed.outOfScope && domain.intents[parsed.intent.name]) return { detected: { name: parsed.intent.name, confidence: parsed.intent.confidence, via: 'nlu' }, entities };
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof UnavailableError)) throw err;
    }
    return { detected: rule, entities };
  }

  private async runSkill(session: SessionRow, domain: Domain, t: Pick<SkillContext, 'text' | 'lang' | 'intent' | 'phase' | 'slots' | 'entities' | 'onDelta'>) {
    const name = domain.intents[t.intent].skill;
    const skill = this.skills.find((s) => s.name === name);
    if (!skill) throw new Error(`no skill ${name}`);
    const history = name === 'chitchat' ? (await this.repo.recentMessages(session.id, 6)).map((m) => ({ role: m.role, text: m.text })) : [];
    return skill.run({ ...t, project: session.projectId, userId: session.userId, sessionId: session.id, assistant: session.assistant, domain, profile: session.profile, history });
  }

  /**
   * Waits until every earlier ticket of the session is served. A predecessor that has run (or
   * waited without progress) longer than DIALOGUE_TURN_TIMEOUT_MS is given up: its replica died.
   */
  private async waitTurn(id: string, ticket: number): Promise<TurnSession> {
    let lastServed = -1;
    let since = Date.now();
    let delay = 2;
    for (;;) {
      const mine = await this.turns.beginTurn(id, ticket - 1);
      if (mine) return mine;
      const p = await this.turns.progress(id);
      if (!p) throw this.notFound(id);
      if (p.served >= ticket) throw new UnavailableError('This message waited longer than DIALOGUE_TURN_TIMEOUT_MS for the session\'s earlier turns and was given up; send it again', undefined, 1);
      if (p.served === ticket - 1) continue;
      if (p.served !== lastServed) {
        lastServed = p.served;
        since = Date.now();
      }
      const stuck = p.runningMs ?? Date.now() - since;
      if (stuck > this.settings.turnTimeoutMs) {
        await this.turns.skipTurn(id, p.served);
        continue;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.served.off(id, wake);
          resolve();
        }, delay);
        this.served.once(id, wake);
      });
      delay = Math.min(delay * 2, 50);
    }
  }

  private async session(project: string, userId: string | null, id: string): Promise<SessionRow> {
    const s = await this.repo.session(project, userId, id);
    if (!s) throw this.notFound(id);
    return s;
  }

  private notFound(id: string): NotFoundError {
    return new NotFoundError(`No dialogue session ${id} for this user in this project`);
  }
}

function view(s: SessionRow): SessionView {
  return { id: s.id, assistant: s.assistant, userId: s.userId, status: s.status, slots: s.state.slots ?? {}, form: s.state.form?.name ?? null, profile: s.profile, createdAt: s.createdAt, updatedAt: s.updatedAt };
}
