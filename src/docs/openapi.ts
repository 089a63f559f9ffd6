import { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../package.json';
import { errorExample } from '../common/api-errors.decorator';
import { isOpenAiPath } from '../common/error-shape';
import { openAiErrorExample } from '../openai/openai-errors.decorator';

const DESCRIPTION = `LLM OS: a self-hosted, language-centred AI application server.

* Native API under \`/api/v1/...\`; errors share one shape: \`{ statusCode, error, message, details?, requestId }\`.
* OpenAI-compatible API under \`/v1/...\` with OpenAI's error shape.
* Authentication: \`Authorization: Bearer <key>\` when the server has API keys (API_KEYS or \`npm run keys\`). Keys are opaque random strings (\`llmos_...\`), not JWTs.
* Projects: every key belongs to a project (one per application sharing the server) and every request acts in one. A platform key picks the project with the \`X-LLMOS-Project\` header; another project's resource is a 404. See docs/projects.md.
* Rate limits and project quotas answer 429 with Retry-After; a full model queue answers 503 with Retry-After.`;

/** Sorts keys recursively so the committed document diffs cleanly. */
function sortDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortDeep) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortDeep((value as Record<string, unknown>)[k])])) as T;
  }
  return value;
}

/** @nestjs/throttler's metadata key prefix for @SkipThrottle (not exported by the package). */
const SKIP_THROTTLE = 'THROTTLER:SKIP';

/** Operation ids (method names, unique in the app) of the routes @SkipThrottle exempts from rate limiting. */
function unthrottledOperations(app: INestApplication): Set<string> {
  const skipped = (target: object) => Reflect.getMetadataKeys(target).some((k) => String(k).startsWith(SKIP_THROTTLE) && Reflect.getMetadata(k, target) === true);
  const ids = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const proto = metatype.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name !== 'constructor' && typeof handler === 'function' && (skipped(handler) || skipped(metatype))) ids.add(name);
      }
    }
  }
  return ids;
}

const tooLarge = (openAi: boolean) => ({
  description: 'Request body larger than its limit (BODY_LIMIT unless the route says otherwise)',
  content: {
    'application/json': openAi
      ? { schema: { $ref: '#/components/schemas/OpenAiErrorDto' }, example: openAiErrorExample(413) }
      : { schema: { $ref: '#/components/schemas/ErrorResponseDto' }, example: errorExample(413) },
  },
});

const PROJECT_PARAMETER = {
  name: 'X-LLMOS-Project',
  in: 'header' as const,
  required: false,
  description: "The project to act in. Platform keys (and keyless local callers) may name any project; other keys only their own, and another project is a 404. Default: the key's project (keyless: default).",
  schema: { type: 'string' as const, pattern: '^[a-z0-9][a-z0-9-]{0,63}$', example: 'shop-support' },
};

const NO_PROJECT = 'No project shop-support for this key';

const projectNotFound = (openAi: boolean) => ({
  description: 'Not found (also: the X-LLMOS-Project header names a project this key may not act in)',
  content: {
    'application/json': openAi
      ? { schema: { $ref: '#/components/schemas/OpenAiErrorDto' }, example: { error: { ...openAiErrorExample(404).error, message: NO_PROJECT, param: null } } }
      : { schema: { $ref: '#/components/schemas/ErrorResponseDto' }, example: errorExample(404, NO_PROJECT) },
  },
});

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('LLM OS')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque API key (llmos_...)', description: 'API key from API_KEYS or `npm run keys -- create`; not a JWT' })
    .build();
  const doc = SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
  const unthrottled = unthrottledOperations(app);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const op of [item.get, item.put, item.post, item.delete, item.patch, item.options, item.head]) {
      if (!op) continue;
      // ApiErrors documents 429 on every route; routes without rate limiting never answer it.
      if (op.operationId && unthrottled.has(op.operationId)) delete op.responses['429'];
      // Any body can be over its size limit; the body parser answers before the route's own errors.
      if (op.requestBody && !op.responses['413']) op.responses['413'] = tooLarge(isOpenAiPath(path));
      // Every route with a key acts in a project: the header, and the 404 for a project the key may not use.
      if (op.security?.length) {
        op.parameters = [...(op.parameters ?? []), PROJECT_PARAMETER];
        if (!op.responses['404']) op.responses['404'] = projectNotFound(isOpenAiPath(path));
      }
    }
  }
  return sortDeep(doc);
}

/** Swagger UI at /docs, the document at /docs/openapi.json. */
export function setupDocs(app: INestApplication): OpenAPIObject {
  const doc = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, doc, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'LLM OS API',
    swaggerOptions: { persistAuthorization: true, tagsSorter: 'alpha', operationsSorter: 'alpha' },
  });
  return doc;
}
