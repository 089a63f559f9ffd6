/** Training-data formats: Rasa NLU YAML, JSON and NDJSON, sharing one set of validation rules. */
export * from './validation';
export { parseEntityMarkup, renderEntityMarkup } from './entity-markup';
export type { MarkupResult } from './entity-markup';
export { parseRasaYaml, readRasaYaml, toRasaYaml } from './rasa-yaml';
export type { RasaYamlOptions } from './rasa-yaml';
export { parseJsonTrainingData, readJsonTrainingData, toJsonTrainingData } from './json-format';
export type { JsonEntity, JsonExample, JsonParseOptions, JsonTrainingDocument } from './json-format';
export { parseNdjsonTrainingData, readNdjsonTrainingData, toNdjson } from './ndjson-format';
export { mergeDuplicateExamples, normalizeExample, normalizeText } from './normalize';
export { EXPORT_CONTENT_TYPES, EXPORT_FILE_NAMES, exportChunks } from './export-stream';
export type { ExportFormat, ExportSource } from './export-stream';
