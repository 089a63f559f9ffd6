/**
 * Dialogue state tracking, one turn at a time: slots from entities and from context (the slot
 * a form asked for takes a bare answer), forms that ask for what is missing and confirm,
 * corrections ("不对，是明天"), cancellation ("算了"), and an intent switch in the middle of a
 * form that is answered before the form asks again. Pure: skills come in as a function, the
 * state goes out as JSON the service stores with the turn.
 */
import type { Domain, Lang } from '../domain/domain';
import { matchRule } from '../domain/rules';
import type { SkillContext, SkillResult } from '../skills/skill';
import { asSlotText, DetectedIntent, Entity, isAffirm, isCancel, isCorrection, isDeny, withoutCorrection } from './understand';

export type SlotValue = string | number;

export interface DialogueState {
  slots: Record<string, SlotValue>;
  form?: { name: string; intent: string; requested?: string; confirming?: boolean };
  /** the last intent a skill answered (a correction re-runs it) */
  lastIntent?: string;
  turns: number;
}

export interface TurnOutcome {
  reply: string;
  intent: string | null;
  confidence: number;
  entities: Entity[];
  slots: Record<string, SlotValue>;
  actions: string[];
  suggestions: string[];
  handoff: boolean;
  state: DialogueState;
}

export type RunSkill = (intent: string, phase: SkillContext['phase'], slots: Record<string, SlotValue>) => Promise<SkillResult>;

export const emptyState = (): DialogueState => ({ slots: {}, turns: 0 });

/** A cancel, or a yes / no to the form's "shall I?": the turn does not look at the message's intent (no NLU call needed). */
export const answeredWithoutIntent = (state: DialogueState, text: string): boolean => isCancel(text) || (!!state.form?.confirming && (isAffirm(text) || isDeny(text)));

/** A response of the domain in the user's language (else the other), the variation chosen by turn, {names} filled in. */
export function render(domain: Domain, name: string, lang: Lang, turn: number, vars: Record<string, SlotValue> = {}): string {
  const r = domain.responses[name];
  if (!r) return '';
  const texts = r[lang] ?? r[lang === 'zh' ? 'en' : 'zh'] ?? [];
  const text = texts[turn % texts.length] ?? '';
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (vars[k] !== undefined ? String(vars[k]) : ''));
}

export class Tracker {
  private readonly actions: string[] = [];
  private readonly replies: string[] = [];
  private suggestions: string[] = [];
  private handoff = false;
  private answered: string | null = null;

  constructor(
    private readonly domain: Domain,
    private readonly lang: Lang,
    private readonly runSkill: RunSkill,
  ) {}

  async turn(before: DialogueState, text: string, detected: DetectedIntent | null, entities: Entity[]): Promise<TurnOutcome> {
    const state: DialogueState = structuredClone(before);
    state.turns++;
    const fills = this.fillsFromEntities(entities);
    const intent = detected && this.domain.intents[detected.name] ? detected.name : null;
    const form = state.form;

    if (isCancel(text)) {
      if (form) this.endForm(state, true);
      this.say('cancelled', state);
      this.actions.push('cancel');
    } else if (form?.confirming && isAffirm(text)) {
      await this.act(state, form.intent, 'act');
      this.endForm(state, true);
    } else if (form?.confirming && isDeny(text)) {
      this.endForm(state, true);
      this.say('cancelled', state);
      this.actions.push('cancel');
    } else if (isCorrection(text) && (Object.keys(fills).length || (form?.requested && withoutCorrection(text)))) {
      // "不对，是明天": the new values replace the old ones and the last question is answered again
      const corrected = Object.keys(fills).length ? fills : this.fromText(form!.requested!, withoutCorrection(text));
      Object.assign(state.slots, corrected);
      this.actions.push(`correct:${Object.keys(corrected).join(',')}`);
      if (form) await this.continueForm(state);
      else if (state.lastIntent) await this.act(state, state.lastIntent, 'act');
      else this.fallback(state);
    } else if (form && (!intent || intent === form.intent || !this.strong(detected))) {
      // a bare answer ("《斗破苍穹》") is the slot the form asked for; a restated request is not
      Object.assign(state.slots, intent && this.strong(detected) ? fills : this.formFills(state, fills, text));
      await this.continueForm(state);
    } else if (form && intent) {
      // an intent switch mid-form: answer it, then the form asks again
      if (await this.rule(state, intent, fills)) {
        this.actions.push(`resume:${form.name}`);
        await this.continueForm(state);
      } else if (this.domain.intents[intent].form) {
        this.endForm(state, true);
        await this.start(state, intent, fills);
      } else {
        Object.assign(state.slots, fills);
        await this.act(state, intent, 'act');
        this.actions.push(`resume:${form.name}`);
        await this.continueForm(state);
      }
    } else if (intent) {
      if (!(await this.rule(state, intent, fills))) await this.start(state, intent, fills);
    } else {
      Object.assign(state.slots, fills);
      this.fallback(state);
    }
    return {
      reply: this.replies.filter(Boolean).join('\n'),
      intent: this.answered ?? intent ?? state.form?.intent ?? null,
      confidence: detected?.confidence ?? 0,
      entities,
      slots: state.slots,
      actions: this.actions,
      suggestions: this.suggestions,
      handoff: this.handoff,
      state,
    };
  }

  /** A rule of the domain for this intent whose slot conditions hold (with the message's entities): its steps answer; false when none. */
  private async rule(state: DialogueState, intent: string, fills: Record<string, SlotValue>): Promise<boolean> {
    const rule = matchRule(this.domain.rules, intent, { ...state.slots, ...fills });
    if (!rule) return false;
    Object.assign(state.slots, fills);
    this.actions.push(`rule:${rule.name}`);
    this.answered ??= intent;
    for (const step of rule.actions) {
      if ('response' in step) this.say(step.response, state);
      else await this.act(state, step.intent, 'act');
    }
    return true;
  }

  private strong(d: DetectedIntent | null): boolean {
    return !!d && d.via !== 'example';
  }

  private async start(state: DialogueState, intent: string, fills: Record<string, SlotValue>): Promise<void> {
    const formName = this.domain.intents[intent].form;
    if (!formName) {
      Object.assign(state.slots, fills);
      await this.act(state, intent, 'act');
      return;
    }
    const spec = this.domain.forms[formName];
    // a new form starts from its initial values: an earlier order's product is not this one's
    for (const s of spec.required) delete state.slots[s];
    for (const [name, slot] of Object.entries(this.domain.slots)) if (slot.initial !== undefined && spec.required.includes(name)) state.slots[name] = slot.initial;
    Object.assign(state.slots, fills);
    state.form = { name: formName, intent };
    this.actions.push(`form:${formName}`);
    await this.continueForm(state);
  }

  /** Asks for the first missing slot, else confirms or acts. */
  private async continueForm(state: DialogueState): Promise<void> {
    const form = state.form!;
    const spec = this.domain.forms[form.name];
    const missing = spec.required.find((s) => state.slots[s] === undefined || state.slots[s] === '');
    if (missing) {
      form.requested = missing;
      form.confirming = false;
      this.say(`ask_${missing}`, state);
      this.actions.push(`ask:${missing}`);
      this.answered ??= form.intent;
      return;
    }
    if (spec.confirm) {
      const ok = await this.act(state, form.intent, 'confirm');
      if (!ok) return this.continueForm(state);
      form.requested = undefined;
      form.confirming = true;
      return;
    }
    const ok = await this.act(state, form.intent, 'act');
    if (!ok) return this.continueForm(state);
    this.endForm(state, true);
  }

  /** Runs the intent's skill; false when it rejected a slot (which is then asked again). */
  private async act(state: DialogueState, intent: string, phase: SkillContext['phase']): Promise<boolean> {
    const spec = this.domain.intents[intent];
    const result = spec.skill === 'respond' ? { response: spec.response } : await this.runSkill(intent, phase, state.slots);
    for (const [k, v] of Object.entries(result.slots ?? {})) {
      if (v === null) delete state.slots[k];
      else state.slots[k] = v;
    }
    this.actions.push(`${spec.skill}${result.action ? `:${result.action}` : phase === 'confirm' ? ':confirm' : ''}`);
    if (result.text !== undefined) this.replies.push(result.text);
    else if (result.response) this.replies.push(render(this.domain, result.response, this.lang, state.turns, { ...state.slots, ...result.vars }));
    if (result.suggestions) this.suggestions = result.suggestions;
    if (result.handoff) this.handoff = true;
    this.answered ??= intent;
    if (result.rejectSlot) {
      delete state.slots[result.rejectSlot];
      return false;
    }
    if (phase === 'act') state.lastIntent = intent;
    if (phase === 'confirm') this.replies.push(render(this.domain, 'confirm_yes_no', this.lang, state.turns, state.slots));
    return true;
  }

  private endForm(state: DialogueState, clearSlots: boolean): void {
    const form = state.form;
    if (!form) return;
    if (clearSlots) for (const s of this.domain.forms[form.name].required) delete state.slots[s];
    state.form = undefined;
  }

  private fallback(state: DialogueState): void {
    this.say('fallback', state);
    this.actions.push('fallback');
    this.suggestions = Object.entries(this.domain.intents)
      .filter(([, i]) => i.examples.length && i.skill !== 'respond')
      .map(([, i]) => i.examples.find((e) => (this.lang === 'zh') === /[\u3400-\u9fff]/u.test(e)) ?? i.examples[0])
      .slice(0, 3);
  }

  private say(response: string, state: DialogueState): void {
    this.replies.push(render(this.domain, response, this.lang, state.turns, state.slots));
  }

  private fillsFromEntities(entities: Entity[]): Record<string, SlotValue> {
    const out: Record<string, SlotValue> = {};
    for (const [name, slot] of Object.entries(this.domain.slots)) {
      for (const m of slot.mappings) {
        if (m.type !== 'from_entity') continue;
        const e = entities.find((x) => x.entity === m.entity);
        if (e && out[name] === undefined) out[name] = slot.type === 'number' ? Number(e.value) : e.value;
      }
    }
    return out;
  }

  /** Entity fills, or the whole answer for the slot the form asked for (a bare 《斗破苍穹》). */
  private formFills(state: DialogueState, fills: Record<string, SlotValue>, text: string): Record<string, SlotValue> {
    const requested = state.form?.requested;
    if (!requested || fills[requested] !== undefined) return fills;
    return { ...fills, ...this.fromText(requested, text) };
  }

  private fromText(slot: string, text: string): Record<string, SlotValue> {
    const spec = this.domain.slots[slot];
    if (!spec?.mappings.some((m) => m.type === 'from_text')) return {};
    const value = asSlotText(text);
    if (!value) return {};
    if (spec.type === 'number') return Number.isFinite(Number(value)) ? { [slot]: Number(value) } : {};
    return { [slot]: value };
  }
}
