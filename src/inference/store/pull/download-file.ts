/**
 * Downloads one repository file into the partial model folder: resumes from the bytes
 * already on disk with an HTTP Range request, retries transient failures with
 * exponential backoff, then checks the size and the checksum the Hub published.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChecksumMismatchError, PullError, TransientHubError } from './errors';
import type { HubClient, RepoFile } from './hub-client';

export interface RetryPolicy {
  /** consecutive failed attempts (without new bytes) before giving up */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 16000 };

export interface DownloadDeps {
  client: HubClient;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** bytes added to (or, when a restart throws bytes away, removed from) the file */
  onBytes?: (delta: number) => void;
  log?: (line: string) => void;
  random?: () => number;
}

export interface DownloadTarget {
  repo: string;
  commit: string;
  file: RepoFile;
}

export interface DownloadResult {
  bytes: number;
  /** bytes that were already on disk from an earlier, interrupted run */
  resumedFrom: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function downloadFile(target: DownloadTarget, dest: string, deps: DownloadDeps): Promise<DownloadResult> {
  const { client, onBytes = () => undefined, log = () => undefined } = deps;
  const retry = deps.retry ?? DEFAULT_RETRY;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const { file } = target;
  await mkdir(dirname(dest), { recursive: true });

  let have = await sizeOf(dest);
  if (file.size !== undefined && have > file.size) {
    await truncate(dest, 0);
    have = 0;
  }
  if (file.size === 0) await (await open(dest, 'w')).close();
  const resumedFrom = have;
  let failures = 0;
  while (file.size === undefined || have < file.size) {
    const before = have;
    try {
      const res = await client.openFile({ repo: target.repo, commit: target.commit, path: file.path, start: have });
      if (res.kind === 'unsatisfiable') {
        if (have > 0 && res.total === have) break; // the earlier run had already finished this file
        const refused = have;
        await truncate(dest, 0);
        onBytes(-have);
        have = 0;
        throw new TransientHubError(`${file.path}: the server refused the range from byte ${refused} (size ${res.total ?? 'unknown'}); starting over`);
      }
      if (res.kind === 'full' || res.start !== have) {
        // the server ignored the Range header: what is on disk is replaced
        onBytes(-have);
        have = 0;
      }
      const expected = file.size ?? res.total;
      const fh = await open(dest, have === 0 ? 'w' : 'a');
      try {
        for await (const chunk of res.body) {
          await fh.write(chunk);
          have += chunk.length;
          onBytes(chunk.length);
        }
      } finally {
        await fh.close();
      }
      if (expected !== undefined && have < expected) {
        throw new TransientHubError(`${file.path}: the connection closed after ${have} of ${expected} bytes`);
      }
      if (expected !== undefined && have > expected) {
        throw new ChecksumMismatchError(file.path, `${expected} bytes`, `${have} bytes`, 'size');
      }
      break;
    } catch (err) {
      if (err instanceof ChecksumMismatchError) {
        await rm(dest, { force: true });
        throw err;
      }
      if (!(err instanceof TransientHubError)) throw err;
      failures = have > before ? 1 : failures + 1;
      if (failures >= retry.attempts) {
        throw new PullError(`${file.path}: giving up after ${failures} attempts without progress (${have} bytes kept for the next run): ${err.message}`);
      }
      const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (failures - 1)) * (0.5 + random() / 2);
      log(`${err.message}; retry ${failures}/${retry.attempts - 1} in ${(delay / 1000).toFixed(1)} s from byte ${have}`);
      await sleep(delay);
    }
  }
  await verifyFile(file, dest);
  return { bytes: have, resumedFrom };
}

/** Checks size, then the LFS SHA-256 or the git blob id; deletes the file when it is wrong. */
export async function verifyFile(file: RepoFile, dest: string): Promise<void> {
  const size = await sizeOf(dest);
  try {
    if (file.size !== undefined && size !== file.size) {
      throw new ChecksumMismatchError(file.path, `${file.size} bytes`, `${size} bytes`, 'size');
    }
    if (file.sha256) {
      const actual = await hashFile(dest, 'sha256');
      if (actual !== file.sha256) throw new ChecksumMismatchError(file.path, file.sha256, actual, 'sha256');
    } else if (file.gitOid) {
      const actual = await hashFile(dest, 'sha1', `blob ${size}\0`);
      if (actual !== file.gitOid) throw new ChecksumMismatchError(file.path, file.gitOid, actual, 'git-sha1');
    }
  } catch (err) {
    if (err instanceof ChecksumMismatchError) await rm(dest, { force: true });
    throw err;
  }
}

export async function hashFile(path: string, algorithm: 'sha256' | 'sha1', prefix = ''): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix) hash.update(prefix);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}
