import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { DialogueRepository, MessageRow } from './dialogue.repository';
import { DialogueService, SessionView } from './dialogue.service';

/** The people's side (handoffs, agent replies) and the Rasa REST channel. */
@Injectable()
export class HandoffService {
  constructor(
    private readonly dialogue: DialogueService,
    private readonly repo: DialogueRepository,
  ) {}

  async restChannel(project: string, sender: string, message: string, assistant: string): Promise<{ recipient_id: string; text: string; buttons?: { title: string; payload: string }[] }[]> {
    const id = await this.dialogue.channelSession(project, sender, assistant);
    const r = await this.dialogue.message(project, sender, id, message);
    const lines = r.reply.split('\n').filter((l) => l.trim());
    const out: { recipient_id: string; text: string; buttons?: { title: string; payload: string }[] }[] = lines.map((text) => ({ recipient_id: sender, text }));
    if (out.length && r.suggestions.length) out[out.length - 1].buttons = r.suggestions.map((s) => ({ title: s, payload: s }));
    return out;
  }

  async waiting(project: string, limit: number, offset: number): Promise<{ sessions: SessionView[]; total: number }> {
    const { sessions, total } = await this.repo.handoffs(project, limit, offset);
    return { sessions: await Promise.all(sessions.map((s) => this.dialogue.get(project, s.userId, s.id))), total };
  }

  async reply(project: string, id: string, text: string, release: boolean): Promise<MessageRow> {
    const m = await this.repo.agentReply(project, id, text, release);
    if (!m) throw new NotFoundError(`No dialogue session ${id} in this project`);
    return m;
  }
}
