import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

// fs-native-extensions ships no type declarations. tryLock takes an exclusive lock on the
// open file: fcntl F_OFD_SETLK on Linux (owned by the open file, not the process, so two
// opens in one process conflict too), flock on macOS, LockFileEx on Windows.
const native = require('fs-native-extensions') as { tryLock(fd: number): boolean; unlock(fd: number): void };

/** Lock files this process holds, to tell "opened twice here" from "another process". */
const held = new Set<string>();

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

/** What the holder wrote into the lock file: for the refusal message only, never for the decision. */
interface Holder {
  pid?: number;
  hostname?: string;
  startedAt?: string;
}

/**
 * One process at a time may open the embedded database: two PGlite instances on one
 * folder corrupt it. The lock is an exclusive advisory lock on a file, held on an open
 * descriptor for as long as the database is open; the kernel drops it when the process
 * dies, however it dies (kill -9, the OOM killer), so there is no stale lock to detect and
 * a restarted process with the same pid starts normally. A pid is not an identity across
 * pid namespaces or hosts, so the pid and host written into the file only explain a
 * refusal. See docs/decisions/0006-data-dir-lock.md (not for network file systems).
 */
export class DataDirLock {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Takes the lock at `path` (created if missing; old contents are ignored) or throws
   * DataDirLockedError. `guarded` names what the lock protects, for messages.
   */
  static acquire(path: string, guarded: string = path): DataDirLock {
    const file = resolve(path);
    if (held.has(file)) {
      throw new DataDirLockedError(`The embedded database at ${guarded} is already open in this process (lock ${file}); close it before opening it again.`);
    }
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
    let locked: boolean;
    try {
      locked = native.tryLock(fd);
    } catch (err) {
      closeSync(fd);
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new Error(
        `Could not lock ${file} (${code}): the file system under DATA_DIR does not support file locks (a network volume?). ` +
          'Put DATA_DIR on a local disk, or use PostgreSQL via DATABASE_URL.',
      );
    }
    if (!locked) {
      closeSync(fd);
      throw new DataDirLockedError(inUseMessage(guarded, file));
    }
    held.add(file);
    const lock = new DataDirLock(file, fd);
    lock.note({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() });
    return lock;
  }

  get isHeld(): boolean {
    return this.fd !== undefined;
  }

  /** Drops the lock (idempotent). The file stays: removing it would race with a process that has it open. */
  release(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    held.delete(this.path);
    try {
      ftruncateSync(fd, 0);
      native.unlock(fd);
    } catch {
      /* closing the descriptor below drops the lock anyway */
    }
    closeSync(fd);
  }

  private note(holder: Holder): void {
    try {
      ftruncateSync(this.fd!, 0);
      writeSync(this.fd!, `${JSON.stringify(holder)}\n`, 0);
    } catch {
      /* the note only explains refusals; the lock itself is held */
    }
  }
}

function inUseMessage(guarded: string, file: string): string {
  const holder = readHolder(file);
  const who = holder?.pid
    ? `its holder wrote pid ${holder.pid}${holder.hostname ? `, host ${holder.hostname}` : ''}${holder.startedAt ? `, started ${holder.startedAt}` : ''}`
    : 'its holder has not written its pid yet';
  return (
    `The embedded database at ${guarded} is in use by another process: the lock ${file} is held (${who}). ` +
    'Only one process at a time may open the embedded database. Stop the other server first ' +
    '(to manage API keys while it runs, use POST /api/v1/auth/keys), or use PostgreSQL via DATABASE_URL to run more than one process.'
  );
}

function readHolder(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Holder) : undefined;
  } catch {
    return undefined;
  }
}
