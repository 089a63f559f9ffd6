/** Training-data formats: Rasa NLU YAML and JSON, sharing one set of validation rules. */
export * from './validation';
export { parseEntityMarkup, renderEntityMarkup } from './entity-markup';
export type { MarkupResult } from './entity-markup';
export { parseRasaYaml, toRasaYaml } from './rasa-yaml';
export type { RasaYamlOptions } from './rasa-yaml';
export { parseJsonTrainingData, toJsonTrainingData } from './json-format';
export type { JsonEntity, JsonExample, JsonParseOptions, JsonTrainingDocument } from './json-format';
