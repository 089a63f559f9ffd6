import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_CHUNK_BYTES, ArtifactCache, ArtifactDb, ArtifactRow, ArtifactUnavailableError } from './artifact-cache';
import { ArtifactFile, fileSha256, sha256Hex, writeArtifactFiles } from './artifact-files';

/** The database side in memory, with the same semantics as NluModelsRepository. */
class MemoryDb implements ArtifactDb {
  rows = new Map<string, ArtifactRow>();
  chunks = new Map<string, Buffer>();
  async artifacts(version: number) {
    return [...this.rows.entries()].filter(([k]) => k.startsWith(`${version}/`)).map(([, r]) => ({ ...r }));
  }
  async saveArtifact(version: number, f: ArtifactFile) {
    this.rows.set(`${version}/${f.name}`, { ...f, chunks: 0 });
  }
  async writeChunk(version: number, name: string, seq: number, data: Buffer) {
    this.chunks.set(`${version}/${name}/${seq}`, Buffer.from(data));
  }
  async setChunks(version: number, name: string, chunks: number) {
    this.rows.get(`${version}/${name}`)!.chunks = chunks;
  }
  async readChunk(version: number, name: string, seq: number) {
    return this.chunks.get(`${version}/${name}/${seq}`) ?? null;
  }
}

describe('ArtifactCache', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'llmos-cache-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const big = Buffer.alloc(ARTIFACT_CHUNK_BYTES * 2 + 123, 7).map((_, i) => i % 251);

  it('on a shared database, stores the bytes in chunks and rebuilds a missing or damaged file from them', async () => {
    const db = new MemoryDb();
    const cache = new ArtifactCache(root, db, true);
    const files = writeArtifactFiles(cache.dir(3), [{ name: 'intent.onnx', data: big }, { name: 'tagger.json', data: '{"a":1}' }]);
    await cache.record(3, files);
    expect(db.rows.get('3/intent.onnx')).toMatchObject({ chunks: 3, bytes: big.length, sha256: sha256Hex(big) });

    const onnx = join(cache.dir(3), 'intent.onnx');
    expect((await cache.resolve(3)).get('intent.onnx')).toBe(onnx);
    writeFileSync(onnx, 'damaged');
    await cache.resolve(3);
    expect(readFileSync(onnx).equals(big)).toBe(true);
    await cache.remove(3);
    expect(existsSync(cache.dir(3))).toBe(false);
    const paths = await cache.resolve(3);
    expect(readFileSync(paths.get('tagger.json')!, 'utf8')).toBe('{"a":1}');
    expect(await fileSha256(paths.get('intent.onnx')!)).toBe(sha256Hex(big));
  });

  it('on PGlite the file is the only copy: a damaged one is reported, not served; bad chunks are refused', async () => {
    const db = new MemoryDb();
    const cache = new ArtifactCache(root, db, false);
    await cache.record(1, writeArtifactFiles(cache.dir(1), [{ name: 'intent.onnx', data: big }]));
    expect(db.chunks.size).toBe(0);
    expect((await cache.resolve(1)).size).toBe(1);
    writeFileSync(join(cache.dir(1), 'intent.onnx'), 'damaged');
    await expect(cache.resolve(1)).rejects.toBeInstanceOf(ArtifactUnavailableError);

    const shared = new ArtifactCache(root, db, true);
    await shared.record(2, writeArtifactFiles(shared.dir(2), [{ name: 'intent.onnx', data: big }]));
    db.chunks.set('2/intent.onnx/1', Buffer.from('tampered'));
    await shared.remove(2);
    await expect(shared.resolve(2)).rejects.toThrow(/does not match its checksum/);
    expect(existsSync(join(shared.dir(2), 'intent.onnx'))).toBe(false);
    expect(await shared.resolve(99)).toEqual(new Map());
  });
});
