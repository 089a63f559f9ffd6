import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/**
 * One process at a time may open the embedded database: two PGlite instances on one
 * folder corrupt it. The lock file holds the owner's pid; a stale lock (process gone)
 * is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(path: string): DataDirLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        const lock = new DataDirLock(path);
        process.once('exit', () => lock.release());
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(path, 'utf8').trim());
        if (pid && pid !== process.pid && alive(pid)) {
          throw new Error(`The embedded database at ${path.replace(/\.lock$/, '')} is in use by process ${pid}. Stop that server first (or, for API keys, use the admin API of the running server).`);
        }
        if (pid === process.pid) throw new Error(`The embedded database at ${path.replace(/\.lock$/, '')} is already open in this process`);
        rmSync(path, { force: true });
      }
    }
    throw new Error(`Could not lock ${path}`);
  }

  release(): void {
    try {
      if (existsSync(this.path) && readFileSync(this.path, 'utf8').trim() === String(process.pid)) rmSync(this.path);
    } catch {
      /* best effort at exit */
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
