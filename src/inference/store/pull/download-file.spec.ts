import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFile, DownloadDeps, hashFile, verifyFile } from './download-file';
import { ChecksumMismatchError, HubHttpError, PullError } from './errors';
import { bytes, FakeHubClient } from './testing/fake-hub-client';

const REPO = 'test/model';
const PATH = 'onnx/model.onnx';

describe('downloadFile', () => {
  let dir: string;
  let dest: string;
  let hub: FakeHubClient;
  const data = bytes(10_000, 7);
  const sleeps: number[] = [];
  const deps = (extra: Partial<DownloadDeps> = {}): DownloadDeps => ({
    client: hub,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    ...extra,
  });
  /** what an interrupted earlier run left on disk */
  const seed = async (content: Buffer) => {
    await mkdir(join(dir, 'onnx'), { recursive: true });
    await writeFile(dest, content);
  };
  const target = async () => {
    const snap = await hub.snapshot(REPO, 'main');
    return { repo: REPO, commit: snap.commit, file: snap.files.find((f) => f.path === PATH)! };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llmos-pull-'));
    dest = join(dir, PATH);
    hub = new FakeHubClient(REPO, new Map([[PATH, data]]));
    sleeps.length = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('downloads a file whole and verifies its sha256', async () => {
    let reported = 0;
    const res = await downloadFile(await target(), dest, deps({ onBytes: (n) => (reported += n) }));
    expect(res).toEqual({ bytes: 10_000, resumedFrom: 0 });
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(hub.startsFor(PATH)).toEqual([0]);
    expect(reported).toBe(10_000);
  });

  it('resumes a partial file from an earlier run with a Range request', async () => {
    await seed(data.subarray(0, 4_321));
    let reported = 0;
    const res = await downloadFile(await target(), dest, deps({ onBytes: (n) => (reported += n) }));
    expect(hub.startsFor(PATH)).toEqual([4_321]);
    expect(res).toEqual({ bytes: 10_000, resumedFrom: 4_321 });
    expect(reported).toBe(10_000 - 4_321);
    expect((await readFile(dest)).equals(data)).toBe(true);
  });

  it('continues from the byte where a dropped connection stopped, with exponential backoff', async () => {
    hub.fault(PATH, { dropAfter: 3_000 }, { dropAfter: 0 }, { dropAfter: 2_000 });
    await downloadFile(await target(), dest, deps());
    expect(hub.startsFor(PATH)).toEqual([0, 3_000, 3_000, 5_000]);
    // the count of failures resets when bytes arrived: 100, then 200 after the empty attempt, then 100 again
    expect(sleeps).toEqual([100, 200, 100]);
    expect(createHash('sha256').update(await readFile(dest)).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('starts over when the server ignores the Range header', async () => {
    await seed(data.subarray(0, 5_000));
    hub.fault(PATH, { ignoreRange: true });
    let reported = 0;
    await downloadFile(await target(), dest, deps({ onBytes: (n) => (reported += n) }));
    expect(hub.startsFor(PATH)).toEqual([5_000]);
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(reported).toBe(10_000 - 5_000); // -5000 thrown away, +10000 received
  });

  it('gives up after the configured attempts without progress, keeping the bytes for the next run', async () => {
    hub.fault(PATH, { dropAfter: 1_000 }, { dropAfter: 0 }, { dropAfter: 0 }, { dropAfter: 0 });
    const run = downloadFile(await target(), dest, deps());
    await expect(run).rejects.toThrow(PullError);
    await expect(run).rejects.toThrow(/giving up after 4 attempts without progress \(1000 bytes kept/);
    expect((await readFile(dest)).length).toBe(1_000);
  });

  it('does not retry errors that retrying cannot fix (401, 404)', async () => {
    hub.fault(PATH, { error: new HubHttpError(401, 'u', 'gated') });
    await expect(downloadFile(await target(), dest, deps())).rejects.toThrow('gated');
    expect(hub.startsFor(PATH)).toHaveLength(1);
  });

  it('a checksum mismatch deletes the file and fails', async () => {
    hub.published.set(PATH, { sha256: 'f'.repeat(64) });
    const run = downloadFile(await target(), dest, deps());
    await expect(run).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(run).rejects.toThrow(/sha256 mismatch \(expected f{64}, got [0-9a-f]{64}\)/);
    expect(existsSync(dest)).toBe(false);
  });

  it('a complete file from an earlier run is verified without a request', async () => {
    await seed(data);
    expect(await downloadFile(await target(), dest, deps())).toEqual({ bytes: 10_000, resumedFrom: 10_000 });
    expect(hub.requests).toHaveLength(0);
  });

  it('with no published size, a 416 for the next byte means the file is complete', async () => {
    await seed(data);
    const t = await target();
    await downloadFile({ ...t, file: { path: PATH, sha256: t.file.sha256 } }, dest, deps());
    expect(hub.startsFor(PATH)).toEqual([10_000]);
  });

  it('a file longer than published is truncated and fetched again', async () => {
    await seed(Buffer.concat([data, Buffer.from('junk')]));
    await downloadFile(await target(), dest, deps());
    expect(hub.startsFor(PATH)).toEqual([0]);
    expect((await readFile(dest)).equals(data)).toBe(true);
  });
});

describe('verifyFile', () => {
  it('checks git blob ids of small files the way git computes them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llmos-verify-'));
    try {
      const path = join(dir, 'config.json');
      await writeFile(path, 'hello\n');
      // `printf 'hello\n' | git hash-object --stdin`
      await expect(verifyFile({ path: 'config.json', size: 6, gitOid: 'ce013625030ba8dba906f756967f9e9ca394464a' }, path)).resolves.toBeUndefined();
      await expect(verifyFile({ path: 'config.json', size: 6, gitOid: '0'.repeat(40) }, path)).rejects.toThrow(/git-sha1 mismatch/);
      expect(existsSync(path)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('hashFile streams sha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llmos-verify-'));
    try {
      const path = join(dir, 'x');
      await writeFile(path, 'abc');
      expect(await hashFile(path, 'sha256')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
