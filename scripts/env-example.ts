/**
 * Writes .env.example from the settings table (src/config/config.schema.ts), so the
 * example always lists exactly the variables the server reads, with their defaults.
 *   npm run env:example
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, SettingSpec } from '../src/config/config.schema';

export function renderEnvExample(): string {
  const lines = ['# LLM OS configuration. Every variable, its default and what it does.', '# Copy to .env (read at start-up; real environment variables win).', ''];
  for (const [key, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    lines.push(`# ${spec.description}${spec.values ? ` (${spec.values.join(' | ')})` : ''}`);
    lines.push(`${key}=${spec.default ?? ''}`, '');
  }
  return lines.join('\n');
}

if (require.main === module) {
  // npm runs scripts from the package root.
  writeFileSync(join(process.cwd(), '.env.example'), renderEnvExample());
}
