import { EdgeTable } from './edge-table';

describe('EdgeTable', () => {
  it('agrees with a Map through random inserts and deletes, including growth', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const table = new EdgeTable(4);
    const model = new Map<string, number>();
    for (let step = 0; step < 20000; step++) {
      const node = rand(500);
      const ch = rand(40) + 0x4e00;
      const key = `${node}:${ch}`;
      if (rand(3) === 0) {
        expect(table.delete(node, ch)).toBe(model.delete(key));
      } else if (!model.has(key)) {
        table.set(node, ch, step);
        model.set(key, step);
      }
      if (step % 1000 === 0) {
        for (const [k, v] of model) {
          const [n, c] = k.split(':').map(Number);
          expect(table.get(n, c)).toBe(v);
        }
      }
    }
    expect(table.size).toBe(model.size);
    expect(table.get(9999, 1)).toBeUndefined();
  });
});
