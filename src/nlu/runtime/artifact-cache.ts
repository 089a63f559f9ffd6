/**
 * Where a version's artifacts are read from: the local file if its SHA-256 matches the
 * database row, else the database's chunks (Postgres: the copy every replica shares; also
 * bytes moved out of old nlu_models rows by the 1764460800000 migration), streamed into the
 * file cache one chunk at a time. See docs/decisions/0008-nlu-artifacts.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { ArtifactFile, fileSha256, removeVersionFiles, versionDir } from './artifact-files';

export const ARTIFACT_CHUNK_BYTES = 1 << 20;

export interface ArtifactRow extends ArtifactFile {
  /** chunks of the bytes in the database; 0 = only the file holds them */
  chunks: number;
}

/** The database side (NluModelsRepository). */
export interface ArtifactDb {
  artifacts(version: number): Promise<ArtifactRow[]>;
  saveArtifact(version: number, file: ArtifactFile): Promise<void>;
  writeChunk(version: number, name: string, seq: number, data: Buffer): Promise<void>;
  setChunks(version: number, name: string, chunks: number): Promise<void>;
  readChunk(version: number, name: string, seq: number): Promise<Buffer | null>;
}

export class ArtifactUnavailableError extends Error {}

export class ArtifactCache {
  constructor(
    readonly root: string,
    private readonly db: ArtifactDb,
    /** also keep the bytes in the database (Postgres: other replicas load from there) */
    readonly shareInDb: boolean,
  ) {}

  dir(version: number): string {
    return versionDir(this.root, version);
  }

  /** Records files the training worker wrote into dir(version): checksum rows, and the bytes in chunks when shared. */
  async record(version: number, files: ArtifactFile[]): Promise<void> {
    for (const f of files) {
      await this.db.saveArtifact(version, f);
      if (!this.shareInDb) continue;
      let seq = 0;
      // One chunk per query: the event loop runs between them.
      for await (const chunk of createReadStream(join(this.dir(version), f.name), { highWaterMark: ARTIFACT_CHUNK_BYTES })) {
        await this.db.writeChunk(version, f.name, seq++, chunk as Buffer);
      }
      await this.db.setChunks(version, f.name, seq);
    }
  }

  /** Verified local paths of every artifact of `version` (name -> path); empty when the version has none. */
  async resolve(version: number): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const row of await this.db.artifacts(version)) {
      const path = join(this.dir(version), row.name);
      if ((await fileSha256(path)) !== row.sha256) {
        if (row.chunks === 0) throw new ArtifactUnavailableError(`${row.name} of NLU model version ${version} is missing or damaged in ${this.dir(version)}, and the database holds no copy`);
        await this.download(version, row, path);
      }
      out.set(row.name, path);
    }
    return out;
  }

  private async download(version: number, row: ArtifactRow, path: string): Promise<void> {
    await mkdir(this.dir(version), { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.download`;
    const hash = createHash('sha256');
    const out = createWriteStream(tmp);
    try {
      for (let seq = 0; seq < row.chunks; seq++) {
        const chunk = await this.db.readChunk(version, row.name, seq);
        if (!chunk) throw new ArtifactUnavailableError(`chunk ${seq} of ${row.name} (NLU model version ${version}) is missing in the database`);
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      const sha = hash.digest('hex');
      if (sha !== row.sha256) throw new ArtifactUnavailableError(`${row.name} of NLU model version ${version} in the database does not match its checksum`);
      await rename(tmp, path);
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }

  remove(version: number): Promise<void> {
    return removeVersionFiles(this.root, version);
  }
}
