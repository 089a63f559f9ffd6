/**
 * Writes the OpenAPI document generated from code to docs/openapi.json, or with
 * --check fails when the committed one is stale (CI runs the check).
 *   npm run openapi          # regenerate
 *   npm run openapi:check    # compare
 * Without rebuilding dist/: bash scripts/openapi-regen.sh [--check]
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app/create-app';
import { loadConfig } from '../src/config/app-config';
import { buildOpenApiDocument } from '../src/docs/openapi';

async function main(check: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'llmos-openapi-'));
  try {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, MODELS_DIR: join(dir, 'models') });
    const { app } = await createApp(config);
    await app.init();
    const text = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
    await app.close();
    const target = join(process.cwd(), 'docs', 'openapi.json');
    if (!check) {
      writeFileSync(target, text);
      process.stdout.write(`Wrote ${target}\n`);
      return 0;
    }
    let committed = '';
    try {
      committed = readFileSync(target, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (committed === text) {
      process.stdout.write('docs/openapi.json is up to date\n');
      return 0;
    }
    process.stderr.write('docs/openapi.json is stale: run `npm run build && npm run openapi` (or `bash scripts/openapi-regen.sh`, which leaves dist/ alone) and commit it\n');
    return 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.includes('--check')).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
