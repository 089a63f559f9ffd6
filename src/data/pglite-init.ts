/**
 * Child-process entry (forked by data-source.ts on a first start): creates a new embedded
 * database folder (PGlite's initdb) and exits. initdb in-process left ~300 MB of WebAssembly
 * memory and buffers in the server that V8 frees late or never (bench:memory); in a child
 * process the OS takes it all back. Usage: node pglite-init.js <dir> <shared_buffers kB>
 */
import { PGlite } from '@electric-sql/pglite';

async function main(): Promise<void> {
  const [dir, sharedBuffersKb] = process.argv.slice(2);
  if (!dir) throw new Error('usage: pglite-init <dir> [shared_buffers kB]');
  const startParams = [...PGlite.defaultStartParams, ...(sharedBuffersKb ? ['-c', `shared_buffers=${sharedBuffersKb}kB`] : [])];
  const db = await PGlite.create({ dataDir: dir, startParams });
  await db.close();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
