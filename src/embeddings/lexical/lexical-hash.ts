/**
 * Hashing for the built-in lexical encoder. Its own copy of the formula on purpose: the
 * encoder's vectors are stored in search indexes, so this must never change with another
 * module's featurizer (a change here is a new encoder version, see LEXICAL_VERSION).
 */
import { fmix32 } from '../../common/hash';

/** FNV-1a over UTF-16 code units, seeded, then fmix32. */
export function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** The projection's random signs: bit (i mod 32) of fmix32(seed + golden * (i >> 5)), +1 or -1. */
export function projectionSigns(rows: number, dim: number, seed: number): Int8Array {
  const out = new Int8Array(rows * dim);
  for (let w = 0; w * 32 < out.length; w++) {
    const bits = fmix32((seed + Math.imul(w, 0x9e3779b9)) >>> 0);
    for (let k = 0; k < 32 && w * 32 + k < out.length; k++) out[w * 32 + k] = (bits >>> k) & 1 ? 1 : -1;
  }
  return out;
}
