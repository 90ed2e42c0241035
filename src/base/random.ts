// Seeded pseudo-random numbers (sfc32): every random choice drhook makes while generating events comes from here.
import { randomBytes } from 'node:crypto';

/** The largest seed drhook accepts (seeds are non-negative safe integers). */
export const maxSeed = Number.MAX_SAFE_INTEGER;

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  pick<T>(values: readonly T[]): T;
  /** `count` random decimal digits. */
  digits(count: number): string;
  /** `count` random lower-case hexadecimal digits. */
  hex(count: number): string;
  /** A version-4 UUID. */
  uuid(): string;
}

/** A fresh seed for a run whose caller gave none (the only place drhook draws entropy). */
export function newSeed(): number {
  return randomBytes(4).readUInt32BE(0);
}

/** True when `value` can be used as a seed. */
export function isSeed(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * The seed of the `index`-th item of a sequence started from `seed`: itself a valid seed, and distinct for every
 * index below 2^32 (the low word is a bijection of the index).
 */
export function deriveSeed(seed: number, index: number): number {
  const key = createRandom(seed);
  const high = mix32(key.uint32() ^ mix32(index >>> 0)) & 0x1fffff;
  const low = mix32((key.uint32() ^ index) >>> 0);
  return high * 0x100000000 + low;
}

/** MurmurHash3's finaliser: a bijection on 32-bit integers that spreads every input bit. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The two lower-case hexadecimal digits of every byte. */
const byteHex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** An unsigned 32-bit integer as 8 hexadecimal digits. */
function hex32(value: number): string {
  return byteHex[value >>> 24]! + byteHex[(value >>> 16) & 0xff]! + byteHex[(value >>> 8) & 0xff]! + byteHex[value & 0xff]!;
}

export function createRandom(seed: number): Random {
  if (!isSeed(seed)) throw new RangeError(`seed must be an integer from 0 to ${maxSeed}, got ${seed}`);
  let a = seed >>> 0;
  let b = Math.floor(seed / 0x100000000) >>> 0;
  let c = 0x9e3779b9;
  let d = 0x243f6a88;
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let warmUp = 0; warmUp < 15; warmUp++) uint32();

  const next = (): number => uint32() / 0x100000000;
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (count: number): string => {
    let out = '';
    while (out.length < count) out += hex32(uint32());
    return out.length === count ? out : out.slice(0, count);
  };
  return {
    next,
    uint32,
    int,
    chance: (probability) => next() < probability,
    pick<T>(values: readonly T[]): T {
      if (values.length === 0) throw new RangeError('cannot pick from an empty list');
      return values[int(0, values.length - 1)] as T;
    },
    digits(count) {
      let out = '';
      while (out.length < count) out += String(uint32() % 1_000_000_000).padStart(9, '0');
      return out.slice(0, count);
    },
    hex,
    uuid() {
      // 32 hex digits, then the variant; the version digit replaces the 13th, the variant the 17th.
      const first = hex32(uint32());
      const second = hex32(uint32());
      const third = hex32(uint32());
      const fourth = hex32(uint32());
      const variant = '89ab'[uint32() & 3];
      return `${first}-${second.slice(0, 4)}-4${second.slice(5)}-${variant}${third.slice(1, 4)}-${third.slice(4)}${fourth}`;
    },
  };
}
