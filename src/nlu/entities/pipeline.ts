/**
 * The rule-based half of entity extraction: regexes, built-ins, gazetteers and titles,
 * merged with whatever statistical extractors (a sequence tagger, a transformer NER model)
 * hand in, then mapped through synonyms.
 *
 *   extract(text, lang?, extra?) =
 *     synonyms(merge([regex, precedence(reconcile(builtin, extra), lookup + titles, tagger), registered extractors..., ...extra]))
 *
 * Precedence (precedence.ts): the user's trained tagger (entities with extractor `tagger`
 * in `extra`) wins over built-in and gazetteer matches that overlap its spans. Built-ins that
 * cut through a longer word (a jieba word, a letter+digit code, a gazetteer entry) are
 * dropped first. Which built-ins and bundled gazetteers run, and the names they report,
 * come from the options (entity-settings.ts derives them from the store's NLU settings).
 *
 * Statistical extractors can be plugged in two ways: pass their entity lists as `extra` on
 * each call (for async model output computed beforehand), or register a synchronous
 * function with addExtractor. Their spans are checked against the text: an entity whose
 * offsets fall outside the text or are empty is dropped, and its `text` is re-sliced from the
 * offsets so text === utterance.slice(start, end) always holds in the output.
 */
import type { ExtractedEntity, Lang, LookupTable, RegexPattern, Synonym } from '../core/types';
import { detectLanguage } from '../language/detect-language';
import { assertTimeZone, systemTimeZone } from './builtin/calendar';
import { BUILTIN_KINDS, extractBuiltins, type BuiltinKind } from './builtin';
import { BUILTIN_LOOKUP_TYPES, registerBuiltinLookups, type BuiltinLookupType } from './builtin-lookups';
import { Gazetteer } from './gazetteer';
import { DEFAULT_PRIORITY, mergeEntities } from './merge';
import { applyTaggerPrecedence, dropGazetteerCuts } from './precedence';
import { reconcileWithTrained } from './reconcile';
import { RegexEntityExtractor } from './regex-extractor';
import { SynonymMapper } from './synonyms';
import { extractTitles } from './titles';

export type ExtraExtractor = (text: string, lang: Lang) => ExtractedEntity[];

export interface EntityPipelineOptions {
  regexes?: readonly RegexPattern[];
  lookups?: readonly LookupTable[];
  synonyms?: readonly Synonym[];
  /** reference clock for relative dates; defaults to the current time */
  now?: () => Date;
  /** IANA time zone dates are meant in; defaults to the process's zone */
  timeZone?: string;
  /** built-in extractors to run; all by default, [] for none */
  builtins?: readonly BuiltinKind[];
  /** built-in entity types to keep (number, date, date_range, ...); all that `builtins` yields by default */
  builtinTypes?: readonly string[];
  /** built-in gazetteers (city, category) to load; all by default, [] for none */
  builtinLookups?: readonly BuiltinLookupType[];
  /**
   * entity names for built-in types, bundled gazetteers and `title`, e.g.
   * { number: 'party_size', city: 'location' }; unnamed ones keep their own
   */
  names?: Readonly<Record<string, string>>;
  /** recognise 《》 titles as `title` entities; on by default */
  titles?: boolean;
  /** extractor order for ties of equal span length; see merge.ts */
  priority?: readonly string[];
}

export class EntityExtractionPipeline {
  /** The gazetteer, open for run-time registration: pipeline.gazetteer.add('product', titles). */
  readonly gazetteer: Gazetteer;
  private regex: RegexEntityExtractor;
  private synonyms: SynonymMapper;
  private readonly extractors = new Map<string, ExtraExtractor>();
  private readonly now: () => Date;
  private readonly timeZone: string;
  private readonly builtins: readonly BuiltinKind[];
  private readonly builtinTypes?: ReadonlySet<string>;
  private readonly names: Readonly<Record<string, string>>;
  private readonly titles: boolean;
  private readonly priority: readonly string[];

  /** Throws InvalidRegexPatternError (all bad patterns, by name) or InvalidTimeZoneError. */
  constructor(options: EntityPipelineOptions = {}) {
    this.regex = new RegexEntityExtractor(options.regexes ?? []);
    this.synonyms = new SynonymMapper(options.synonyms ?? []);
    this.gazetteer = new Gazetteer();
    this.names = options.names ?? {};
    registerBuiltinLookups(this.gazetteer, options.builtinLookups ?? BUILTIN_LOOKUP_TYPES, this.names);
    for (const table of options.lookups ?? []) this.gazetteer.addTable(table);
    this.now = options.now ?? (() => new Date());
    this.timeZone = options.timeZone ?? systemTimeZone();
    assertTimeZone(this.timeZone);
    this.builtins = options.builtins ?? BUILTIN_KINDS;
    this.builtinTypes = options.builtinTypes ? new Set(options.builtinTypes) : undefined;
    this.titles = options.titles ?? true;
    this.priority = options.priority ?? DEFAULT_PRIORITY;
  }

  /** Replaces the regex patterns; throws InvalidRegexPatternError and keeps the old ones if any is bad. */
  setRegexes(patterns: readonly RegexPattern[]): void {
    this.regex = new RegexEntityExtractor(patterns);
  }

  /** Replaces the synonym table. */
  setSynonyms(synonyms: readonly Synonym[]): void {
    this.synonyms = new SynonymMapper(synonyms);
  }

  /** Adds lookup tables at run time (the same as gazetteer.addTable for each). */
  addLookups(tables: readonly LookupTable[]): void {
    for (const t of tables) this.gazetteer.addTable(t);
  }

  /** Registers a synchronous extractor run on every call; its entities keep their own `extractor` field. */
  addExtractor(name: string, extractor: ExtraExtractor): void {
    this.extractors.set(name, extractor);
  }

  removeExtractor(name: string): boolean {
    return this.extractors.delete(name);
  }

  /**
   * Entities of `text`, non-overlapping and sorted by start. `lang` defaults to
   * detectLanguage(text); it only changes how 5/3/2025 is read (day-first for 'other').
   * `extra` holds entity lists from trained extractors (tagger, NER model) to merge in; where
   * one of them and a built-in agree on a date or a count, the trained type and span win and
   * the built-in's resolved value stays (reconcile.ts).
   */
  extract(text: string, lang?: Lang, extra: readonly (readonly ExtractedEntity[])[] = []): ExtractedEntity[] {
    if (text.length === 0) return [];
    const language = lang ?? detectLanguage(text).lang;
    const trained = extra.map((list) => alignToText(text, list));
    const lookups = this.gazetteer.extract(text);
    const found = extractBuiltins(text, { kinds: this.builtins, now: this.now, timeZone: this.timeZone, lang: language });
    const builtins = dropGazetteerCuts(this.builtinTypes ? found.filter((e) => this.builtinTypes!.has(e.entity)) : found, lookups);
    const titles = this.titles ? this.rename(extractTitles(text)) : [];
    const tagger = trained.flat().filter((e) => e.extractor === 'tagger');
    const ruled = applyTaggerPrecedence([...reconcileWithTrained(text, builtins, trained, this.names), ...lookups, ...titles], tagger);
    const lists: ExtractedEntity[][] = [this.regex.extract(text), ruled.rules];
    for (const fn of this.extractors.values()) lists.push(alignToText(text, fn(text, language)));
    lists.push(ruled.tagger, ...trained.map((list) => list.filter((e) => e.extractor !== 'tagger')));
    return this.synonyms.apply(mergeEntities(lists, this.priority));
  }

  private rename(entities: ExtractedEntity[]): ExtractedEntity[] {
    return entities.map((e) => {
      const name = this.names[e.entity];
      return name === undefined || name === e.entity ? e : { ...e, entity: name };
    });
  }
}

/** Drops entities whose offsets do not fit the text and re-slices `text` from the offsets. */
function alignToText(text: string, entities: readonly ExtractedEntity[]): ExtractedEntity[] {
  const out: ExtractedEntity[] = [];
  for (const e of entities) {
    const ok = Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.end <= text.length && e.start < e.end;
    if (!ok) continue;
    const surface = text.slice(e.start, e.end);
    out.push(surface === e.text ? e : { ...e, text: surface });
  }
  return out;
}
