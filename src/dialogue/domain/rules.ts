/**
 * A domain's `rules:` (Rasa's vocabulary): an intent, optionally slot conditions, and the steps
 * that answer it instead of the intent's own skill or form:
 *
 *   rules:
 *     - rule: 谢谢之后问还需要什么
 *       condition: [{ slot_was_set: [{ product: null }] }]   # optional; null = the slot is empty
 *       steps:
 *         - intent: thanks
 *         - action: utter_thanks            # utter_<name>: the response <name>
 *         - action: product_recommendation  # an intent's name: its skill (not one with a form)
 *
 * The first rule (in file order) whose intent is the message's and whose conditions hold wins.
 */
export type RuleValue = string | null;

export interface RuleSpec {
  name: string;
  intent: string;
  /** slot -> the value it must have (compared as text), null = must be empty */
  conditions: Record<string, RuleValue>;
  /** in order: a response to say, or an intent whose skill to run */
  actions: ({ response: string } | { intent: string })[];
}

type Plain = string | Plain[] | { [k: string]: Plain } | null;
const isMap = (v: Plain | undefined): v is { [k: string]: Plain } => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RuleContext {
  bad: (path: string, message: string) => void;
  intents: Record<string, { form?: string }>;
  slots: Record<string, unknown>;
  responses: Record<string, unknown>;
}

/** Parses and checks `rules:`; problems go to `ctx.bad` with their paths (and so their lines). */
export function parseRules(node: Plain | undefined, ctx: RuleContext): RuleSpec[] {
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node)) {
    ctx.bad('rules', 'must be a list of rules {rule, condition?, steps}');
    return [];
  }
  const out: RuleSpec[] = [];
  node.forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!isMap(r)) return ctx.bad(p, 'must be a mapping {rule, condition?, steps}');
    for (const key of Object.keys(r)) if (!['rule', 'condition', 'steps'].includes(key)) ctx.bad(`${p}.${key}`, 'unknown key; a rule has rule, condition and steps');
    const name = typeof r.rule === 'string' && r.rule ? r.rule : `rule ${i + 1}`;
    if (typeof r.rule !== 'string' || !r.rule) ctx.bad(p, 'needs a name: rule: <name>');
    const conditions = parseConditions(r.condition, `${p}.condition`, ctx);
    const steps = Array.isArray(r.steps) ? r.steps : [];
    if (!Array.isArray(r.steps) || !steps.length) return ctx.bad(`${p}.steps`, 'needs steps: an intent, then one or more actions');
    const first = steps[0];
    const intent = isMap(first) && typeof first.intent === 'string' ? first.intent : undefined;
    if (!intent) ctx.bad(`${p}.steps[0]`, 'the first step is the intent: - intent: <name>');
    else if (!ctx.intents[intent]) ctx.bad(`${p}.steps[0].intent`, `intent ${intent} is not declared under intents`);
    const actions: RuleSpec['actions'] = [];
    steps.slice(1).forEach((s, j) => {
      const sp = `${p}.steps[${j + 1}]`;
      const action = isMap(s) && typeof s.action === 'string' ? s.action : undefined;
      if (!action) return ctx.bad(sp, 'a step after the intent is an action: - action: utter_<response> or an intent name');
      if (action.startsWith('utter_')) {
        const response = action.slice('utter_'.length);
        if (!ctx.responses[response]) ctx.bad(`${sp}.action`, `response ${response} is not declared under responses`);
        actions.push({ response });
      } else if (!ctx.intents[action]) ctx.bad(`${sp}.action`, `${action} is neither utter_<response> nor an intent declared under intents`);
      else if (ctx.intents[action].form) ctx.bad(`${sp}.action`, `intent ${action} fills a form; a rule cannot run it`);
      else actions.push({ intent: action });
    });
    if (steps.length < 2) ctx.bad(`${p}.steps`, 'needs at least one action after the intent');
    if (intent) out.push({ name, intent, conditions, actions });
  });
  return out;
}

/** `condition: [{slot_was_set: [{slot: value}, ...]}]` (Rasa's shape; a mapping for the list is accepted). */
function parseConditions(node: Plain | undefined, path: string, ctx: RuleContext): Record<string, RuleValue> {
  const out: Record<string, RuleValue> = {};
  if (node === undefined || node === null) return out;
  const items = Array.isArray(node) ? node : [node];
  items.forEach((c, i) => {
    const cp = Array.isArray(node) ? `${path}[${i}]` : path;
    if (!isMap(c) || !('slot_was_set' in c)) return ctx.bad(cp, 'a condition is slot_was_set: [{<slot>: <value>}]');
    for (const key of Object.keys(c)) if (key !== 'slot_was_set') ctx.bad(`${cp}.${key}`, 'unknown condition; use slot_was_set');
    const set = c.slot_was_set;
    const pairs = Array.isArray(set) ? set : [set];
    pairs.forEach((pair, j) => {
      const pp = Array.isArray(set) ? `${cp}.slot_was_set[${j}]` : `${cp}.slot_was_set`;
      if (!isMap(pair)) return ctx.bad(pp, 'must be {<slot>: <value>} (null: the slot is empty)');
      for (const [slot, value] of Object.entries(pair)) {
        if (!(slot in ctx.slots)) ctx.bad(`${pp}.${slot}`, `slot ${slot} is not declared under slots`);
        if (value !== null && typeof value !== 'string') ctx.bad(`${pp}.${slot}`, 'the value is a scalar or null');
        else out[slot] = value === 'null' || value === '~' ? null : value;
      }
    });
  });
  return out;
}

/** The first rule for `intent` whose conditions hold for `slots`. */
export function matchRule(rules: readonly RuleSpec[] | undefined, intent: string, slots: Record<string, string | number>): RuleSpec | null {
  for (const r of rules ?? []) {
    if (r.intent !== intent) continue;
    const holds = Object.entries(r.conditions).every(([slot, want]) => {
      const have = slots[slot];
      const empty = have === undefined || have === '';
      return want === null ? empty : !empty && String(have) === want;
    });
    if (holds) return r;
  }
  return null;
}
