/**
 * Checks that an OpenAPI 3.0 document tells the truth about itself: every example it
 * shows (schema `example`, media-type and parameter `example`/`examples`) is valid
 * against the schema it belongs to, every `$ref` resolves, and every schema is
 * well-formed JSON Schema. Validation is done by ajv (docs/decisions/0007).
 *
 * OpenAPI 3.0 schema objects are a dialect of JSON Schema draft-04/07; they are
 * translated before ajv sees them:
 *   - `nullable: true` becomes a type array with "null" (and null joins any `enum`);
 *   - `$ref: "#/components/schemas/X"` points into one registered schema whose `$id` is
 *     COMPONENTS_ID, holding every component under `definitions`;
 *   - annotations ajv does not know (`example`, `xml`, `externalDocs`, `discriminator`,
 *     `x-*`) are dropped, so ajv's strict schema mode can reject any other unknown
 *     keyword (a typo in a decorator) instead of ignoring it.
 */
import Ajv, { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const COMPONENTS_ID = 'https://llm-os.invalid/openapi/components.json';
const COMPONENT_REF = '#/components/schemas/';
// `examples` is not an OpenAPI 3.0 schema keyword (structureProblems reports it); dropped so the rest can be checked.
const DROPPED = new Set(['example', 'examples', 'xml', 'externalDocs', 'discriminator', 'nullable']);
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One OpenAPI 3.0 schema object as JSON Schema (see the file comment). */
export function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.startsWith(COMPONENT_REF) ? `${COMPONENTS_ID}#/definitions/${value.slice(COMPONENT_REF.length)}` : value;
    } else if ((key === 'properties' || key === 'patternProperties') && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (key === 'enum' || key === 'required' || key === 'default' || key === 'const') {
      out[key] = value;
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/** ajv with OpenAPI's formats, the document's components registered under COMPONENTS_ID. */
export function createAjv(doc: JsonObject): Ajv {
  const ajv = new Ajv({ strict: false, strictSchema: true, allErrors: true, validateFormats: true });
  addFormats(ajv);
  const int = (bits: number) => (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1);
  ajv.addFormat('int32', { type: 'number', validate: int(32) });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  for (const f of ['float', 'double']) ajv.addFormat(f, { type: 'number', validate: () => true });
  ajv.addFormat('binary', true);
  ajv.addFormat('password', true);
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  ajv.addSchema({ $id: COMPONENTS_ID, definitions: toJsonSchema(schemas) } as object);
  return ajv;
}

const describeError = (e: ErrorObject) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`;

/** A place in the document that shows an example, with the schema it must satisfy. */
export interface ExampleSite {
  where: string;
  schema: Json | undefined;
  value: Json;
}

/** Every example in the document: schema-level, media-type and parameter ones. */
export function exampleSites(doc: JsonObject): ExampleSite[] {
  return walkDocument(doc).sites;
}

/** Every schema object of the document (components and inline, at any depth) and every example site. */
function walkDocument(doc: JsonObject): { sites: ExampleSite[]; schemas: { where: string; schema: JsonObject }[] } {
  const sites: ExampleSite[] = [];
  const schemas: { where: string; schema: JsonObject }[] = [];
  const components = isObject(doc.components) ? doc.components : {};
  const namedExamples = isObject(components.examples) ? components.examples : {};

  const walkSchema = (schema: Json | undefined, where: string) => {
    if (!isObject(schema)) return;
    schemas.push({ where, schema });
    if ('example' in schema) sites.push({ where: `${where}.example`, schema, value: schema.example });
    if (isObject(schema.properties)) for (const [name, sub] of Object.entries(schema.properties)) walkSchema(sub, `${where}.properties.${name}`);
    if (isObject(schema.items)) walkSchema(schema.items, `${where}.items`);
    if (isObject(schema.additionalProperties)) walkSchema(schema.additionalProperties, `${where}.additionalProperties`);
    if (isObject(schema.not)) walkSchema(schema.not, `${where}.not`);
    for (const list of SCHEMA_LISTS) {
      const subs = schema[list];
      if (Array.isArray(subs)) subs.forEach((sub, i) => walkSchema(sub, `${where}.${list}[${i}]`));
    }
  };

  /** A media type, parameter or header: `schema` plus `example` or named `examples`. */
  const walkCarrier = (carrier: Json, where: string) => {
    if (!isObject(carrier)) return;
    walkSchema(carrier.schema, `${where}.schema`);
    if ('example' in carrier) sites.push({ where: `${where}.example`, schema: carrier.schema, value: carrier.example });
    if (isObject(carrier.examples)) {
      for (const [name, raw] of Object.entries(carrier.examples)) {
        const ex = isObject(raw) && typeof raw.$ref === 'string' ? namedExamples[raw.$ref.replace('#/components/examples/', '')] : raw;
        if (isObject(ex) && 'value' in ex) sites.push({ where: `${where}.examples.${name}`, schema: carrier.schema, value: ex.value });
      }
    }
  };
  const walkContent = (content: Json | undefined, where: string) => {
    if (isObject(content)) for (const [type, media] of Object.entries(content)) walkCarrier(media, `${where}.content[${type}]`);
  };
  const walkResponse = (response: Json, where: string) => {
    if (!isObject(response)) return;
    walkContent(response.content, where);
    if (isObject(response.headers)) for (const [name, h] of Object.entries(response.headers)) walkCarrier(h, `${where}.headers.${name}`);
  };

  if (isObject(components.schemas)) for (const [name, s] of Object.entries(components.schemas)) walkSchema(s, `components.schemas.${name}`);
  for (const [name, p] of Object.entries(isObject(components.parameters) ? components.parameters : {})) walkCarrier(p, `components.parameters.${name}`);
  for (const [name, r] of Object.entries(isObject(components.responses) ? components.responses : {})) walkResponse(r, `components.responses.${name}`);
  for (const [name, b] of Object.entries(isObject(components.requestBodies) ? components.requestBodies : {})) walkContent(isObject(b) ? b.content : undefined, `components.requestBodies.${name}`);

  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    const params = (list: Json | undefined, where: string) => {
      if (Array.isArray(list)) list.forEach((p, i) => walkCarrier(p, `${where}.parameters[${isObject(p) ? p.name : i}]`));
    };
    params(item.parameters, `paths[${path}]`);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const at = `${method.toUpperCase()} ${path}`;
      params(op.parameters, at);
      if (isObject(op.requestBody)) walkContent(op.requestBody.content, `${at} requestBody`);
      if (isObject(op.responses)) for (const [status, r] of Object.entries(op.responses)) walkResponse(r, `${at} ${status}`);
    }
  }
  return { sites, schemas };
}

/** What is wrong with the document's examples and schemas; empty when it is true. */
export function exampleProblems(doc: JsonObject): string[] {
  const problems: string[] = [];
  let ajv: Ajv;
  try {
    ajv = createAjv(doc);
    ajv.getSchema(COMPONENTS_ID);
  } catch (err) {
    return [`components.schemas: ${(err as Error).message}`];
  }
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  for (const site of exampleSites(doc)) {
    if (site.schema === undefined) {
      problems.push(`${site.where}: an example without a schema cannot be checked`);
      continue;
    }
    try {
      const schema = toJsonSchema(site.schema);
      const key = JSON.stringify(schema);
      const validate = compiled.get(key) ?? ajv.compile(schema as object);
      compiled.set(key, validate);
      if (!validate(site.value)) problems.push(`${site.where}: ${(validate.errors ?? []).map(describeError).join('; ')}`);
    } catch (err) {
      problems.push(`${site.where}: schema does not compile: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** An example body shown for an error response (status >= 400) of an operation. */
export interface ErrorExample {
  where: string;
  status: number;
  value: Json;
}

/**
 * The example bodies of every JSON error response, and the error responses that show
 * none (a viewer would then make one up from property examples, whatever the status).
 */
export function errorExamples(doc: JsonObject): { examples: ErrorExample[]; missing: string[] } {
  const examples: ErrorExample[] = [];
  const missing: string[] = [];
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    for (const method of METHODS) {
      const op = isObject(item) ? item[method] : undefined;
      if (!isObject(op) || !isObject(op.responses)) continue;
      for (const [code, response] of Object.entries(op.responses)) {
        const status = Number(code);
        const media = isObject(response) && isObject(response.content) ? response.content['application/json'] : undefined;
        if (!(status >= 400) || !isObject(media)) continue;
        const where = `${method.toUpperCase()} ${path} ${code}`;
        const values = [
          ...('example' in media ? [media.example] : []),
          ...Object.values(isObject(media.examples) ? media.examples : {}).flatMap((e) => (isObject(e) && 'value' in e ? [e.value] : [])),
        ];
        if (!values.length) missing.push(where);
        for (const value of values) examples.push({ where, status, value });
      }
    }
  }
  return { examples, missing };
}

const resolvePointer = (doc: Json, ref: string): Json | undefined =>
  ref
    .slice(2)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<Json | undefined>((node, token) => (isObject(node) ? node[token] : Array.isArray(node) ? node[Number(token)] : undefined), doc);

/**
 * The OpenAPI 3.0 rules a generator can break that ajv cannot see (no installed package
 * ships the official OpenAPI 3.0 JSON schema): version, unique operation ids, response
 * keys and descriptions, parameter locations, path parameters, and local `$ref`s.
 */
export function structureProblems(doc: JsonObject): string[] {
  const problems: string[] = [];
  if (typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) problems.push(`openapi: ${JSON.stringify(doc.openapi)} is not 3.0.x`);
  if (!isObject(doc.info) || typeof doc.info.title !== 'string' || typeof doc.info.version !== 'string') problems.push('info: title and version are required strings');
  const ids = new Map<string, string>();
  for (const [path, raw] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    const item = isObject(raw) ? raw : {};
    if (!path.startsWith('/')) problems.push(`paths[${path}]: must start with /`);
    const templated = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const at = `${method.toUpperCase()} ${path}`;
      if (typeof op.operationId === 'string') {
        if (ids.has(op.operationId)) problems.push(`${at}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
        ids.set(op.operationId, at);
      }
      const responses = isObject(op.responses) ? op.responses : {};
      if (!Object.keys(responses).length) problems.push(`${at}: no responses`);
      for (const [code, r] of Object.entries(responses)) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) problems.push(`${at}: response key ${code} is not a status code`);
        if (!isObject(r) || (typeof r.description !== 'string' && typeof r.$ref !== 'string')) problems.push(`${at} ${code}: description is required`);
      }
      const params = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])];
      const declared = new Set<string>();
      for (const p of params) {
        if (!isObject(p) || typeof p.$ref === 'string') continue;
        if (typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(String(p.in))) problems.push(`${at}: parameter ${JSON.stringify(p.name)} has no valid name/in`);
        if (p.in === 'path') {
          declared.add(String(p.name));
          if (p.required !== true) problems.push(`${at}: path parameter ${p.name} must be required`);
          if (!templated.has(String(p.name))) problems.push(`${at}: path parameter ${p.name} is not in the path`);
        }
      }
      for (const name of templated) if (!declared.has(name)) problems.push(`${at}: {${name}} is not declared as a path parameter`);
    }
  }
  const refs = (node: Json, where: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => refs(n, `${where}[${i}]`));
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && (!value.startsWith('#/') || resolvePointer(doc, value) === undefined)) problems.push(`${where}: $ref ${value} does not resolve`);
      else refs(value, `${where}.${key}`);
    }
  };
  refs(doc, '#');
  for (const { where, schema } of walkDocument(doc).schemas) {
    if ('examples' in schema) problems.push(`${where}: a schema object takes one \`example\`; OpenAPI 3.0 has no \`examples\` there (named examples go on the request body, response or parameter)`);
  }
  return problems;
}
