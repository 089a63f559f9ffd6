/**
 * A training run the server was in the middle of when it stopped is marked failed at the next
 * start, in every project, and only that run (the count in the warning is exact).
 */
import { DataSource } from 'typeorm';
import { LEVEL, LogCapture } from './support/log-capture';
import { testDatabases } from './support/databases';
import { startTestApp } from './support/test-app';

const logs = new LogCapture();

describe.each(testDatabases())('interrupted NLU training runs (%s)', (db) => {
  it('marks exactly the runs left in training as failed, in every project', async () => {
    const first = await startTestApp({ db, env: { LOG_LEVEL: 'info' }, logDestination: logs });
    const ds = first.app.get(DataSource);
    await ds.query(`INSERT INTO projects (id, name) VALUES ('shop', 'Shop')`);
    await ds.query(`INSERT INTO nlu_models (project_id, status) VALUES ('default', 'training'), ('shop', 'training'), ('shop', 'failed')`);
    await first.close(false);

    const second = await startTestApp({ db, reuse: first, env: { LOG_LEVEL: 'info' }, logDestination: logs });
    try {
      await logs.waitFor((l) => l.level === LEVEL.warn && /NLU training run\(s\) were interrupted/.test(l.msg ?? ''));
      expect(logs.lines.filter((l) => /NLU training run\(s\) were interrupted/.test(l.msg ?? '')).map((l) => l.msg)).toEqual(['2 NLU training run(s) were interrupted by the last shutdown']);
      const rows = await second.app.get(DataSource).query(`SELECT project_id, status, error FROM nlu_models ORDER BY version`);
      expect(rows).toEqual([
        { project_id: 'default', status: 'failed', error: 'interrupted: the server stopped during training' },
        { project_id: 'shop', status: 'failed', error: 'interrupted: the server stopped during training' },
        { project_id: 'shop', status: 'failed', error: null },
      ]);
    } finally {
      await second.close();
      logs.lines.length = 0;
    }
  });
});
