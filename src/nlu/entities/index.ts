/** Rule-based entity extraction for the NLU module; see README.md in this folder. */
export * from './builtin';
export { BUILTIN_LOOKUP_TYPES, builtinLookupEntries, registerBuiltinLookups } from './builtin-lookups';
export type { BuiltinLookupType, LookupEntry } from './builtin-lookups';
export { Gazetteer, isWordChar, LOOKUP_CONFIDENCE } from './gazetteer';
export type { GazetteerAddOptions } from './gazetteer';
export { DEFAULT_PRIORITY, mergeEntities } from './merge';
export { EntityExtractionPipeline } from './pipeline';
export type { EntityPipelineOptions, ExtraExtractor } from './pipeline';
export {
  findNestedQuantifier,
  InvalidRegexPatternError,
  MAX_PATTERN_LENGTH,
  RegexEntityExtractor,
  validateRegexPatterns,
} from './regex-extractor';
export type { RegexProblem } from './regex-extractor';
export { applySynonyms, SynonymMapper, synonymKey } from './synonyms';
export { extractTitles, TITLE_CONFIDENCE } from './titles';
