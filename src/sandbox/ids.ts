// Identifiers, all drawn from the injected random source so that a seeded run is reproducible.

/** Small seedable PRNG (mulberry32) for tests: `createSandbox({ random: seededRandom(42) })`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class IdGen {
  constructor(private readonly random: () => number) {}

  chars(n: number, alphabet = ALNUM): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.random() * alphabet.length)];
    return s;
  }

  /** Meta's message ids look like `m_AG5Hz2Uq7tuw…`. */
  mid(): string {
    return `m_${this.chars(40, `${ALNUM}-_`)}`;
  }

  /** PSIDs are 16-17 digit numeric strings that do not start with 0. */
  psid(): string {
    return `${1 + Math.floor(this.random() * 9)}${this.chars(15, '0123456789')}`;
  }

  token(prefix: string): string {
    return `${prefix}${this.chars(48)}`;
  }

  fbtrace(): string {
    return this.chars(11, `${ALNUM}_`);
  }

  /** Is `p` drawn from [0,1) below `rate`? rate 0 never draws, so a seeded run is not shifted by it. */
  chance(rate: number): boolean {
    if (!(rate > 0)) return false;
    return this.random() < rate;
  }
}
