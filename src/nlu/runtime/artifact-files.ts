/**
 * Trained NLU artifacts as files: one folder per version (`<root>/v<N>/intent.onnx`,
 * `tagger.json`), written by the training worker and read by the inference worker, so the
 * bytes never pass through the main thread (docs/decisions/0008-nlu-artifacts.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const INTENT_ONNX_FILE = 'intent.onnx';
export const TAGGER_FILE = 'tagger.json';

export interface ArtifactFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** `$DATA_DIR/nlu/models`; with the in-memory database (tests) a folder of this process under the OS temp dir. */
export function artifactRoot(dataDir: string): string {
  return dataDir === 'memory://' ? join(tmpdir(), `llmos-nlu-${process.pid}-${randomBytes(4).toString('hex')}`) : resolve(dataDir, 'nlu', 'models');
}

export const versionDir = (root: string, version: number): string => join(root, `v${version}`);

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Writes each file under a temporary name and renames it into place, so a reader sees a
 * whole file or none. Synchronous: the training worker calls it, off the main thread.
 */
export function writeArtifactFiles(dir: string, files: { name: string; data: Uint8Array | string }[]): ArtifactFile[] {
  mkdirSync(dir, { recursive: true });
  return files.map(({ name, data }) => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(tmp, bytes);
    renameSync(tmp, join(dir, name));
    return { name, sha256: sha256Hex(bytes), bytes: bytes.byteLength };
  });
}

/** SHA-256 of a file, hashed as it streams in (no long synchronous step); null when it does not exist. */
export function fileSha256(path: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve(null) : reject(err)));
  });
}

export async function removeVersionFiles(root: string, version: number): Promise<void> {
  await rm(versionDir(root, version), { recursive: true, force: true });
}
