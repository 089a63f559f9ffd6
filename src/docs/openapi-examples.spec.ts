/**
 * The committed OpenAPI document must be true: every example it shows is valid against
 * its own schema, every error response shows a body of its own status, and the document
 * is well-formed OpenAPI 3.0. Reads docs/openapi.json; starts no app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAiErrorType, reasonPhrase } from '../common/error-shape';
import { errorExamples, exampleProblems, exampleSites, structureProblems } from './openapi-validation';

type Doc = Parameters<typeof exampleProblems>[0];
const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as Doc;

const isOpenAiPath = (where: string) => / \/v1\//.test(where);

describe('docs/openapi.json', () => {
  it('is well-formed OpenAPI 3.0 (ids, responses, parameters, $refs)', () => {
    expect(structureProblems(doc)).toEqual([]);
  });

  it('shows examples in request bodies, responses, schemas and parameters', () => {
    const where = exampleSites(doc).map((s) => s.where);
    expect(where.some((w) => w.startsWith('components.schemas.'))).toBe(true);
    expect(where.some((w) => /requestBody.*\.examples\./.test(w))).toBe(true);
    expect(where.some((w) => /parameters\[/.test(w))).toBe(true);
    expect(where.some((w) => / [45]\d\d\.content/.test(w))).toBe(true);
  });

  it('every request body shows a Chinese and an English example (named zh and en)', () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { requestBody?: { content?: Record<string, { examples?: Record<string, unknown> }> } }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
          if (!media.examples?.zh || !media.examples?.en) missing.push(`${method.toUpperCase()} ${path} (${type})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('every example is valid against its own schema', () => {
    expect(exampleProblems(doc)).toEqual([]);
  });

  it('every JSON error response shows an example body', () => {
    expect(errorExamples(doc).missing).toEqual([]);
  });

  it('each error example is a body of its own status', () => {
    const wrong = errorExamples(doc).examples.flatMap(({ where, status, value }) => {
      const body = value as { statusCode?: number; error?: string | { type?: string }; requestId?: string };
      if (isOpenAiPath(where)) {
        const type = typeof body.error === 'object' ? body.error.type : undefined;
        return type === openAiErrorType(status) ? [] : [`${where}: error.type ${type}, expected ${openAiErrorType(status)}`];
      }
      const ok = body.statusCode === status && body.error === reasonPhrase(status) && typeof body.requestId === 'string';
      return ok ? [] : [`${where}: shows statusCode ${body.statusCode} "${String(body.error)}"`];
    });
    expect(wrong).toEqual([]);
  });

  it('documents 429 only where rate limiting applies', () => {
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths['/metrics'].get.responses)).not.toContain('429');
    expect(Object.keys(paths['/health/ready'].get.responses)).not.toContain('429');
    expect(Object.keys(paths['/api/v1/nlu/parse'].post.responses)).toContain('429');
  });

  it('documents 401 exactly where a key is required, and 413 wherever a body is read', () => {
    const paths = doc.paths as Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; responses: Record<string, unknown> }>>;
    const wrong = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, op]) => {
        const at = `${method.toUpperCase()} ${path}`;
        return [
          ...(Boolean(op.security?.length) !== ('401' in op.responses) ? [`${at}: security ${JSON.stringify(op.security)} but 401 ${'401' in op.responses}`] : []),
          ...(op.requestBody && !('413' in op.responses) ? [`${at}: reads a body but documents no 413`] : []),
        ];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('says the bearer token is an opaque API key, not a JWT', () => {
    const schemes = (doc.components as { securitySchemes: Record<string, { scheme?: string; bearerFormat?: string }> }).securitySchemes;
    const bearer = Object.values(schemes).filter((s) => s.scheme === 'bearer');
    expect(bearer.length).toBeGreaterThan(0);
    for (const s of bearer) {
      expect(s.bearerFormat ?? '').not.toMatch(/jwt/i);
      expect(s.bearerFormat ?? '').toMatch(/key/i);
    }
  });
});

describe('the example checker', () => {
  const tiny = (schemas: Doc, paths: Doc = {}): Doc => ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths, components: { schemas } });

  it('finds a wrongly typed example, through a $ref and inside a nested property', () => {
    const d = tiny({
      A: { type: 'object', properties: { n: { type: 'number', example: 'three' }, b: { $ref: '#/components/schemas/B' } } },
      B: { type: 'object', required: ['s'], properties: { s: { type: 'string', minLength: 2 } } },
    }, {
      '/a': { post: { responses: { 200: { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/A' }, examples: { one: { value: { b: { s: 'x' } } } } } } } } } },
    });
    const problems = exampleProblems(d);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^components\.schemas\.A\.properties\.n\.example: .*must be number/);
    expect(problems[1]).toMatch(/^POST \/a 200\.content\[application\/json\]\.examples\.one: \/b\/s must NOT have fewer than 2 characters/);
  });

  it('accepts null only where the schema is nullable, also for enums', () => {
    const d = tiny({
      A: { type: 'string', nullable: true, enum: ['x'], example: null },
      B: { type: 'string', example: null },
    });
    expect(exampleProblems(d)).toEqual([expect.stringMatching(/^components\.schemas\.B\.example: .*must be string/)]);
  });

  it('rejects an unknown schema keyword, a missing $ref and an example without a schema', () => {
    expect(exampleProblems(tiny({ A: { type: 'string', minLenght: 1, example: 'a' } }))[0]).toMatch(/unknown keyword: "minLenght"/);
    const missing = tiny({ A: { type: 'object', properties: { b: { $ref: '#/components/schemas/Nope' } }, example: {} } });
    expect(exampleProblems(missing).join()).toMatch(/Nope/);
    expect(structureProblems(missing)).toEqual([expect.stringMatching(/\$ref #\/components\/schemas\/Nope does not resolve/)]);
    const bare = tiny({}, { '/m': { get: { responses: { 200: { description: '', content: { 'text/plain': { example: 'x' } } } } } } });
    expect(exampleProblems(bare)).toEqual([expect.stringMatching(/without a schema/)]);
  });

  it('finds error responses without an example body', () => {
    const d = tiny({}, { '/a': { get: { responses: { 401: { description: '', content: { 'application/json': { schema: { type: 'object' } } } } } } } });
    expect(errorExamples(d).missing).toEqual(['GET /a 401']);
  });

  it('reports `examples` inside a schema object (not OpenAPI 3.0) and still checks the other examples', () => {
    const d = tiny({ A: { type: 'object', properties: { e: { type: 'string', examples: { en: { value: 'x' } } }, n: { type: 'number', example: 'x' } } } });
    expect(structureProblems(d)).toEqual([expect.stringMatching(/^components\.schemas\.A\.properties\.e: a schema object takes one `example`/)]);
    expect(exampleProblems(d)).toEqual([expect.stringMatching(/^components\.schemas\.A\.properties\.n\.example: .*must be number/)]);
  });

  it('finds structural faults: duplicate ids, bad response keys, undeclared path parameters', () => {
    const d = tiny({}, {
      '/a/{id}': { get: { operationId: 'x', responses: { 200: { description: '' } } } },
      '/b': { get: { operationId: 'x', parameters: [{ name: 'q', in: 'body' }], responses: { ok: { description: '' } } } },
    });
    expect(structureProblems(d)).toEqual([
      'GET /a/{id}: {id} is not declared as a path parameter',
      'GET /b: operationId x also used by GET /a/{id}',
      'GET /b: response key ok is not a status code',
      'GET /b: parameter "q" has no valid name/in',
    ]);
  });
});
