import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../package.json';

const DESCRIPTION = `LLM OS: a self-hosted, language-centred AI application server.

* Native API under \`/api/v1/...\`; errors share one shape: \`{ statusCode, error, message, details?, requestId }\`.
* OpenAI-compatible API under \`/v1/...\` with OpenAI's error shape.
* Authentication: \`Authorization: Bearer <key>\` when the server has API keys (API_KEYS or \`npm run keys\`).
* Rate limits answer 429 with Retry-After; a full model queue answers 503 with Retry-After.`;

/** Sorts keys recursively so the committed document diffs cleanly. */
function sortDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortDeep) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortDeep((value as Record<string, unknown>)[k])])) as T;
  }
  return value;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('LLM OS')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
    .build();
  const doc = SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
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
