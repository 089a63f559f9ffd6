/**
 * Per-sequence pseudo-random numbers for sampling. Each sequence owns its generator,
 * so a seeded request draws the same numbers whatever else shares its batch, and a
 * draw costs a few integer operations (no allocation).
 */
import { randomFillSync } from 'node:crypto';
import { fmix32 } from '../../common/hash';

const TWO_32 = 4294967296;


/** Low and high 32-bit words of an integer seed (safe integers, negatives included). */
function seedWords(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / TWO_32) >>> 0];
}

/**
 * xoshiro128** (Blackman & Vigna): 128-bit state, passes BigCrush, fast with 32-bit
 * integer math in JS. Seeded through splitmix32 so nearby seeds give unrelated streams.
 */
export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** `seed` (a safe integer) makes the stream reproducible; without it the stream is random. */
  constructor(seed?: number) {
    if (seed === undefined) {
      const w = randomFillSync(new Uint32Array(4));
      this.s0 = w[0];
      this.s1 = w[1];
      this.s2 = w[2];
      this.s3 = w[3];
    } else {
      const [lo, hi] = seedWords(seed);
      let a = lo;
      const next = () => {
        a = (a + 0x9e3779b9) >>> 0;
        return fmix32(a);
      };
      this.s0 = next();
      this.s1 = (next() ^ fmix32(hi + 0x632be5ab)) >>> 0;
      this.s2 = next();
      this.s3 = (next() ^ fmix32(hi ^ 0x85157af5)) >>> 0;
    }
    // The all-zero state is the one state xoshiro never leaves.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits (two draws), so tiny probabilities keep their resolution. */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The seed of choice `index` of a request that asked for `n` choices with one seed:
 * choice 0 keeps the seed (so n=1 and n>1 agree on the first choice), the others get
 * distinct derived seeds, so the choices differ yet the whole response is reproducible.
 */
export function choiceSeed(seed: number, index: number): number {
  if (index === 0) return seed;
  const [lo, hi] = seedWords(seed);
  const h = fmix32(lo ^ fmix32(hi + Math.imul(index, 0x9e3779b1)));
  // 53-bit result: the high part mixes the index in again so derived seeds rarely collide.
  return fmix32(h ^ index) * 2097152 + (h & 0x1fffff);
}
