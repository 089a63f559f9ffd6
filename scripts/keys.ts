/**
 * Manages stored API keys from the command line (the server must not be running on
 * the same embedded database; while it runs, use POST /api/v1/auth/keys instead).
 *
 *   npm run keys -- create --role platform|admin|user --owner <id> [--project <id>] [--name <label>]
 *   npm run keys -- list [--project <id>]
 *   npm run keys -- revoke <id> [--force]   (--force: even the last admin key)
 */
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../src/auth/api-key.entity';
import { ApiKeyRepository } from '../src/auth/api-key.repository';
import { KEYLESS_WARNING, revocationRefusal } from '../src/auth/key-policy';
import { generateKey, hashKey, keyPrefix } from '../src/auth/key-hash';
import { loadConfig, PROJECT_ID } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/data/data-source';

const USAGE = 'usage: npm run keys -- create --role platform|admin|user --owner <id> [--project <id>] [--name <label>] | list [--project <id>] | revoke <id> [--force]';

async function main(argv: string[]): Promise<number> {
  loadDotenv({ quiet: true });
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, owner: { type: 'string' }, project: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' } },
  });
  const [command, arg] = positionals;
  if (!['create', 'list', 'revoke'].includes(command ?? '')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const ds = new DataSource({ ...(await buildDataSourceOptions({ ...config, migrationsRun: true })), entities: [ApiKeyEntity] });
  await ds.initialize();
  try {
    const repo = ds.getRepository(ApiKeyEntity);
    if (command === 'create') {
      const role = values.role;
      if (role !== 'platform' && role !== 'admin' && role !== 'user') throw new Error('--role must be platform, admin or user');
      if (!values.owner || !/^[A-Za-z0-9._@-]{1,100}$/.test(values.owner)) throw new Error('--owner is required (letters, digits, . _ @ -)');
      const projectId = values.project ?? 'default';
      if (!PROJECT_ID.test(projectId)) throw new Error('--project must be a project id (lowercase letters, digits and -)');
      const [found] = await ds.query(`SELECT id FROM projects WHERE id = $1`, [projectId]);
      if (!found) throw new Error(`No project ${projectId}: create it first (POST /api/v1/projects with a platform key)`);
      const key = generateKey();
      const row = await repo.save(repo.create({ name: values.name ?? `${role} key for ${values.owner}`, role, ownerId: values.owner, projectId, keyHash: hashKey(key), keyPrefix: keyPrefix(key) }));
      process.stdout.write(`Created ${role} key ${row.id} for owner ${row.ownerId} in project ${row.projectId}.\nKey (shown once, store it now): ${key}\n`);
    } else if (command === 'list') {
      for (const k of await repo.find({ where: values.project ? { projectId: values.project } : {}, order: { createdAt: 'ASC' } })) {
        process.stdout.write(`${k.id}  ${k.keyPrefix}…  ${k.role.padEnd(8)}  project=${k.projectId}  owner=${k.ownerId}  ${k.revokedAt ? 'REVOKED' : 'active'}  "${k.name}"\n`);
      }
    } else {
      if (!arg) throw new Error('revoke needs the key id (see `npm run keys -- list`)');
      const res = await new ApiKeyRepository(repo).revokeUnless(arg, undefined, (target, active) => (values.force ? undefined : revocationRefusal(target, active, config.apiKeys.length > 0)));
      if (res.outcome === 'missing') throw new Error(`No active key with id ${arg}`);
      if (res.outcome === 'refused') throw new Error(res.reason);
      process.stdout.write(`Revoked ${arg}\n`);
      if (res.remaining === 0 && config.apiKeys.length === 0) process.stderr.write(`Warning: no active key is left. ${KEYLESS_WARNING}\n`);
    }
    return 0;
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
