// x_CapsimRunId: the same scenario (every default filled in) and seed give the same id, on any
// machine and at any time; a different input or seed, another.
import { createHash } from 'node:crypto';

export function focusRunId(resolved: unknown, seed: number): string {
  return createHash('sha256').update(JSON.stringify(resolved)).update(`\nseed=${seed}`).digest('hex').slice(0, 16);
}
