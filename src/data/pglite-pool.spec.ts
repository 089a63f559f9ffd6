import { PGlite } from '@electric-sql/pglite';
import { DataSource } from 'typeorm';
import { pgliteDriver } from './pglite-pool';

describe('PGlite pool', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = new DataSource({ type: 'postgres', driver: pgliteDriver(await PGlite.create()), installExtensions: false });
    await ds.initialize();
    await ds.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
  });
  afterAll(() => ds.destroy());

  it('keeps concurrent transactions apart: one rollback does not undo the other', async () => {
    const failing = ds.transaction(async (m) => {
      await m.query(`INSERT INTO t VALUES (1, 'a')`);
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('boom');
    });
    const succeeding = ds.transaction(async (m) => {
      await m.query(`INSERT INTO t VALUES (2, 'b')`);
    });
    await expect(failing).rejects.toThrow('boom');
    await succeeding;
    const rows = await ds.query('SELECT id FROM t ORDER BY id');
    expect(rows).toEqual([{ id: 2 }]);
  });

  it('reports affected rows for UPDATE and DELETE as pg does', async () => {
    await ds.query(`INSERT INTO t VALUES (3, 'c'), (4, 'd')`);
    const upd = await ds.createQueryBuilder().update('t').set({ v: 'z' }).where('id >= :id', { id: 3 }).execute();
    expect(upd.affected).toBe(2);
    const del = await ds.createQueryBuilder().delete().from('t').where('id = :id', { id: 4 }).execute();
    expect(del.affected).toBe(1);
  });
});
