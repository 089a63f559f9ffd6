import { AlsModel } from './als';
import { NeighborTable } from './types';

/** A trained version as served: the item ids (model index -> id), one neighbour table per item-item model, the factor models. */
export interface ModelArtifact {
  items: string[];
  tables: Record<string, NeighborTable>;
  factors?: Record<string, AlsModel>;
}

type FactorHeader = Omit<AlsModel, 'itemFactors'> & { name: string };

/** Bytes: uint32 header length, JSON header, padding to 4, then each table's idx (int32) and w (float32), then each factor model's item factors (float32). */
export function encodeArtifact(a: ModelArtifact): Uint8Array {
  const names = Object.keys(a.tables).sort();
  const factorNames = Object.keys(a.factors ?? {}).sort();
  const factors: FactorHeader[] = factorNames.map((name) => {
    const { items, factors: k, regularization, alpha } = a.factors![name];
    return { name, items, factors: k, regularization, alpha };
  });
  const header = Buffer.from(JSON.stringify({ items: a.items, tables: names.map((n) => ({ name: n, n: a.tables[n].n, m: a.tables[n].m })), factors }), 'utf8');
  const start = align(4 + header.length);
  const size =
    start + names.reduce((s, n) => s + a.tables[n].idx.byteLength + a.tables[n].w.byteLength, 0) + factorNames.reduce((s, n) => s + a.factors![n].itemFactors.byteLength, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let at = start;
  for (const n of names) {
    const t = a.tables[n];
    out.set(new Uint8Array(t.idx.buffer, t.idx.byteOffset, t.idx.byteLength), at);
    at += t.idx.byteLength;
    out.set(new Uint8Array(t.w.buffer, t.w.byteOffset, t.w.byteLength), at);
    at += t.w.byteLength;
  }
  for (const n of factorNames) {
    const f = a.factors![n].itemFactors;
    out.set(new Uint8Array(f.buffer, f.byteOffset, f.byteLength), at);
    at += f.byteLength;
  }
  return out;
}

export function decodeArtifact(bytes: Uint8Array): ModelArtifact {
  const copy = new Uint8Array(bytes); // aligned, owned
  const len = new DataView(copy.buffer).getUint32(0, true);
  const header = JSON.parse(Buffer.from(copy.subarray(4, 4 + len)).toString('utf8')) as { items: string[]; tables: { name: string; n: number; m: number }[]; factors?: FactorHeader[] };
  let at = align(4 + len);
  const tables: Record<string, NeighborTable> = {};
  for (const { name, n, m } of header.tables) {
    const idx = new Int32Array(copy.buffer, at, n * m);
    at += n * m * 4;
    const w = new Float32Array(copy.buffer, at, n * m);
    at += n * m * 4;
    tables[name] = { n, m, idx, w };
  }
  const factors: Record<string, AlsModel> = {};
  for (const { name, ...f } of header.factors ?? []) {
    factors[name] = { ...f, itemFactors: new Float32Array(copy.buffer, at, f.items * f.factors) };
    at += f.items * f.factors * 4;
  }
  return { items: header.items, tables, factors };
}

const align = (n: number) => (n + 3) & ~3;
