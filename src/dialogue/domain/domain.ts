/**
 * An assistant's domain file (Rasa's vocabulary where it fits): intents and the skill each
 * triggers, entities, slots with mappings, forms with required slots, responses per language
 * with variations, rules (an intent, slot conditions -> responses and actions), and the shop settings (default city, FAQ collection, membership rules).
 * Parsing keeps every value's line so a wrong file is reported problem by problem.
 */
import { parseYamlTree, YamlSyntaxError, YNode } from '../../common/yaml-tree';
import { parseRules, RuleSpec } from './rules';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];
export const SKILLS = ['weather', 'order', 'order_status', 'recommend', 'faq', 'chitchat', 'handoff', 'respond'] as const;
export type SkillName = (typeof SKILLS)[number];
export const BUILTIN_ENTITIES = ['date', 'number', 'title', 'catalog'] as const;

export interface IntentSpec {
  skill: SkillName;
  /** the form this intent fills before its skill runs */
  form?: string;
  /** the response a `respond` skill gives */
  response?: string;
  keywords: string[];
  patterns: string[];
  examples: string[];
}

export interface EntitySpec {
  /** canonical value -> its other spellings */
  values?: Record<string, string[]>;
  /** a regular expression; its first group (or the match) is the value */
  pattern?: string;
  builtin?: (typeof BUILTIN_ENTITIES)[number];
}

export type SlotMapping = { type: 'from_entity'; entity: string } | { type: 'from_text' };

export interface SlotSpec {
  type: 'text' | 'number';
  mappings: SlotMapping[];
  initial?: string | number;
}

export interface FormSpec {
  required: string[];
  /** ask "shall I?" before the skill acts */
  confirm: boolean;
}

export interface MembershipRule {
  id: string;
  label: Partial<Record<Lang, string>>;
  /** price factor: 0.8 = 8折 / 20% off */
  discount: number;
}

export interface Domain {
  language: Lang;
  settings: { defaultCity: string; faqCollection?: string; currency: string };
  membership: MembershipRule[];
  intents: Record<string, IntentSpec>;
  entities: Record<string, EntitySpec>;
  slots: Record<string, SlotSpec>;
  forms: Record<string, FormSpec>;
  responses: Record<string, Partial<Record<Lang, string[]>>>;
  /** absent in domains stored before rules existed */
  rules?: RuleSpec[];
}

export interface DomainProblem {
  line?: number;
  path: string;
  message: string;
}

export class DomainInvalidError extends Error {
  constructor(readonly problems: DomainProblem[]) {
    super(problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.path}: ${p.message}`).join('; '));
  }
}

/** Responses every assistant must have (the tracker's own words). */
export const CORE_RESPONSES = ['fallback', 'cancelled', 'confirm_yes_no'];
/** Responses a skill needs when an intent uses it. */
export const SKILL_RESPONSES: Record<SkillName, string[]> = {
  weather: ['weather_report', 'weather_unavailable'],
  order: ['order_confirm', 'order_placed', 'order_not_found'],
  order_status: ['order_status', 'order_none'],
  recommend: ['recommend_items', 'recommend_none'],
  faq: ['faq_none'],
  chitchat: [],
  handoff: ['handoff'],
  respond: [],
};

type Plain = string | Plain[] | { [k: string]: Plain } | null;

/** The tree as plain values (scalars stay strings) and each path's line. */
function plain(node: YNode | null, path: string, lines: Map<string, number>): Plain {
  if (!node) return null;
  lines.set(path, node.line);
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'alias') return null;
  if (node.kind === 'seq') return node.items.map((n, i) => plain(n, `${path}[${i}]`, lines));
  const out: Record<string, Plain> = {};
  for (const e of node.entries) {
    const key = e.key.kind === 'scalar' ? e.key.value : '';
    const p = path ? `${path}.${key}` : key;
    lines.set(p, e.key.line);
    out[key] = plain(e.value, p, lines);
  }
  return out;
}

/** Parses and validates a domain file; throws DomainInvalidError listing every problem. */
export function parseDomain(source: string): Domain {
  let tree: YNode | null;
  try {
    tree = parseYamlTree(source);
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new DomainInvalidError([{ line: err.line, path: '', message: `not valid YAML: ${err.reason}` }]);
    throw err;
  }
  const lines = new Map<string, number>();
  const doc = plain(tree, '', lines);
  const problems: DomainProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ line: lines.get(path), path, message });
  if (!isMap(doc)) throw new DomainInvalidError([{ line: 1, path: '', message: 'a domain file is a mapping with intents, entities, slots, forms and responses' }]);

  const strList = (v: Plain, path: string): string[] => {
    if (v === null || v === undefined) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    bad(path, 'must be a string or a list of strings');
    return [];
  };
  const map = (v: Plain | undefined, path: string): Record<string, Plain> => {
    if (v === undefined || v === null) return {};
    if (isMap(v)) return v;
    bad(path, 'must be a mapping');
    return {};
  };

  const language = (doc.language ?? 'zh') as Lang;
  if (!LANGS.includes(language)) bad('language', `must be one of ${LANGS.join(', ')}`);
  const s = map(doc.settings, 'settings');
  const settings = { defaultCity: typeof s.default_city === 'string' ? s.default_city : '北京', faqCollection: typeof s.faq_collection === 'string' ? s.faq_collection : undefined, currency: typeof s.currency === 'string' ? s.currency : 'CNY' };

  const membership: MembershipRule[] = [];
  const m = doc.membership ?? [];
  if (!Array.isArray(m)) bad('membership', 'must be a list of rules {id, label, discount}');
  else
    m.forEach((r, i) => {
      const p = `membership[${i}]`;
      if (!isMap(r)) return bad(p, 'must be a mapping {id, label, discount}');
      const discount = Number(r.discount);
      if (!(discount > 0 && discount <= 1)) bad(`${p}.discount`, 'must be a number in (0, 1]: 0.8 means 20% off (8折)');
      const label = isMap(r.label) ? (r.label as Record<string, string>) : typeof r.label === 'string' ? { zh: r.label, en: r.label } : {};
      if (typeof r.id !== 'string') bad(p, 'needs an id');
      membership.push({ id: String(r.id), label, discount });
    });

  const responses: Domain['responses'] = {};
  for (const [name, v] of Object.entries(map(doc.responses, 'responses'))) {
    const p = `responses.${name}`;
    const byLang = map(v, p);
    const out: Partial<Record<Lang, string[]>> = {};
    for (const [lang, texts] of Object.entries(byLang)) {
      if (!LANGS.includes(lang as Lang)) bad(`${p}.${lang}`, `unknown language; use ${LANGS.join(' or ')}`);
      const list = strList(texts, `${p}.${lang}`);
      if (!list.length) bad(`${p}.${lang}`, 'needs at least one text');
      out[lang as Lang] = list;
    }
    if (!out.zh && !out.en) bad(p, 'needs texts under zh and/or en');
    responses[name] = out;
  }

  const entities: Domain['entities'] = {};
  for (const [name, v] of Object.entries(map(doc.entities, 'entities'))) {
    const p = `entities.${name}`;
    const e = map(v, p);
    const spec: EntitySpec = {};
    if (e.builtin !== undefined) {
      if (!BUILTIN_ENTITIES.includes(e.builtin as never)) bad(`${p}.builtin`, `unknown builtin; one of ${BUILTIN_ENTITIES.join(', ')}`);
      spec.builtin = e.builtin as EntitySpec['builtin'];
    }
    if (e.pattern !== undefined) {
      if (typeof e.pattern !== 'string') bad(`${p}.pattern`, 'must be a regular expression');
      else {
        try {
          new RegExp(e.pattern, 'u');
          spec.pattern = e.pattern;
        } catch (err) {
          bad(`${p}.pattern`, `not a valid regular expression: ${(err as Error).message}`);
        }
      }
    }
    if (e.values !== undefined) {
      spec.values = {};
      if (Array.isArray(e.values)) for (const x of strList(e.values, `${p}.values`)) spec.values[x] = [];
      else for (const [canon, syn] of Object.entries(map(e.values, `${p}.values`))) spec.values[canon] = strList(syn, `${p}.values.${canon}`);
    }
    if (!spec.builtin && !spec.pattern && !spec.values) bad(p, 'needs values, a pattern or a builtin');
    entities[name] = spec;
  }

  const slots: Domain['slots'] = {};
  for (const [name, v] of Object.entries(map(doc.slots, 'slots'))) {
    const p = `slots.${name}`;
    const sl = map(v, p);
    const type = (sl.type ?? 'text') as SlotSpec['type'];
    if (type !== 'text' && type !== 'number') bad(`${p}.type`, 'must be text or number');
    const mappings: SlotMapping[] = [];
    const ms = sl.mappings ?? [];
    if (!Array.isArray(ms)) bad(`${p}.mappings`, 'must be a list');
    else
      ms.forEach((mp, i) => {
        const mpPath = `${p}.mappings[${i}]`;
        if (!isMap(mp)) return bad(mpPath, 'must be a mapping {type, entity}');
        if (mp.type === 'from_entity') {
          if (typeof mp.entity !== 'string' || !(mp.entity in entities)) bad(mpPath, `entity ${String(mp.entity)} is not declared under entities`);
          mappings.push({ type: 'from_entity', entity: String(mp.entity) });
        } else if (mp.type === 'from_text') mappings.push({ type: 'from_text' });
        else bad(`${mpPath}.type`, 'must be from_entity or from_text');
      });
    const initial = sl.initial === undefined || sl.initial === null ? undefined : type === 'number' ? Number(sl.initial) : String(sl.initial);
    if (typeof initial === 'number' && !Number.isFinite(initial)) bad(`${p}.initial`, 'must be a number');
    slots[name] = { type, mappings, initial };
  }

  const forms: Domain['forms'] = {};
  for (const [name, v] of Object.entries(map(doc.forms, 'forms'))) {
    const p = `forms.${name}`;
    const f = map(v, p);
    const required = strList(f.required_slots ?? null, `${p}.required_slots`);
    if (!required.length) bad(p, 'needs required_slots');
    for (const slot of required) {
      if (!(slot in slots)) bad(`${p}.required_slots`, `slot ${slot} is not declared under slots`);
      if (!responses[`ask_${slot}`]) bad(`${p}.required_slots`, `slot ${slot} needs a response ask_${slot} (the question that asks for it)`);
    }
    forms[name] = { required, confirm: f.confirm === 'true' || f.confirm === 'yes' };
  }

  const intents: Domain['intents'] = {};
  const intentsNode = map(doc.intents, 'intents');
  if (!Object.keys(intentsNode).length) bad('intents', 'declare at least one intent');
  for (const [name, v] of Object.entries(intentsNode)) {
    const p = `intents.${name}`;
    const it = map(v, p);
    const skill = (it.skill ?? 'respond') as SkillName;
    if (!SKILLS.includes(skill)) bad(`${p}.skill`, `unknown skill ${String(skill)}; one of ${SKILLS.join(', ')}`);
    const form = typeof it.form === 'string' ? it.form : undefined;
    if (form && !forms[form]) bad(`${p}.form`, `form ${form} is not declared under forms`);
    const response = typeof it.response === 'string' ? it.response : undefined;
    if (skill === 'respond' && !response) bad(p, 'a respond intent needs a response');
    if (response && !responses[response]) bad(`${p}.response`, `response ${response} is not declared under responses`);
    for (const r of SKILL_RESPONSES[skill] ?? []) if (!responses[r]) bad(`${p}.skill`, `skill ${skill} needs a response ${r}`);
    const patterns = strList(it.patterns ?? null, `${p}.patterns`);
    patterns.forEach((re, i) => {
      try {
        new RegExp(re, 'iu');
      } catch (err) {
        bad(`${p}.patterns`, `pattern ${i + 1} is not a valid regular expression: ${(err as Error).message}`);
      }
    });
    intents[name] = { skill, form, response, keywords: strList(it.keywords ?? null, `${p}.keywords`), patterns, examples: strList(it.examples ?? null, `${p}.examples`) };
  }
  const rules = parseRules(doc.rules, { bad, intents, slots, responses });
  for (const r of CORE_RESPONSES) if (!responses[r]) bad('responses', `needs a response ${r}`);
  for (const key of Object.keys(doc)) if (!['version', 'language', 'settings', 'membership', 'intents', 'entities', 'slots', 'forms', 'responses', 'rules'].includes(key)) bad(key, 'unknown top-level key');

  if (problems.length) throw new DomainInvalidError(problems);
  return { language, settings, membership, intents, entities, slots, forms, responses, rules };
}

function isMap(v: Plain | undefined): v is { [k: string]: Plain } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
