// Named, seeded random streams (seedrandom), one per concern, so that adding a workload or a
// draw in one place never shifts the numbers another place sees. Draws are 53-bit doubles:
// 32-bit draws collide after ~10^5 samples, which matters for tie-breaks and noise.
import seedrandom from 'seedrandom';

export class RandomStream {
  private readonly prng: seedrandom.PRNG;

  constructor(readonly name: string, seed: number | string) {
    this.prng = seedrandom(`${seed}/${name}`);
  }

  /** Uniform in [0, 1) with 53 bits of randomness. */
  next(): number {
    return this.prng.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.prng.double());
  }

  /** Standard normal by Box-Muller (one value per two draws, for reproducibility). */
  normal(): number {
    const u = 1 - this.prng.double();
    const v = this.prng.double();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number) {}

  stream(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = new RandomStream(name, this.seed);
      this.streams.set(name, stream);
    }
    return stream;
  }
}
