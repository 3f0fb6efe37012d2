// When new runs of a batch Job arrive (behavior `arrivals`, DESIGN §2): on a cron schedule in
// scenario time (spec.start + t, UTC), or as a Poisson process with exponential inter-arrival times
// drawn from the stream `arrivals/<Kind/namespace/name>`. Each arrival is a new Job made from the
// declared one (the world names them `<name>-1`, `<name>-2`, ...).
import type { RandomStream } from '../engine/random.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Behavior } from '../model/scenario.ts';
import { CronSchedule } from './cron.ts';

export type ArrivalSpec = NonNullable<Behavior['arrivals']>;

export interface ArrivalProcess {
  /** Simulation time (ms) of the first arrival strictly after `afterMs` (the first one may be at
   *  `afterMs` itself only for Poisson draws that round to 0 ms); null when no more arrive. */
  nextMs(afterMs: number): number | null;
}

const HOUR_MS = 3_600_000;

export function arrivalProcess(spec: ArrivalSpec, startEpochMs: number, stream: RandomStream): ArrivalProcess {
  if ('cron' in spec) {
    const schedule = CronSchedule.parse(spec.cron);
    return {
      nextMs: (afterMs) => {
        const epoch = schedule.next(startEpochMs + afterMs);
        return epoch === null ? null : epoch - startEpochMs;
      },
    };
  }
  const meanMs = HOUR_MS / spec.poissonPerHour;
  return { nextMs: (afterMs) => afterMs + Math.round(stream.exponential(meanMs)) };
}

/** Puts the arrivals from t = 0 on the clock, one event ahead at a time; `onArrival` gets the
 *  arrival's number, counting from 1. */
export function scheduleArrivals(sim: Simulation, process: ArrivalProcess, phase: number, untilMs: number, onArrival: (n: number) => void): void {
  let n = 0;
  const plan = (afterMs: number) => {
    const at = process.nextMs(afterMs);
    if (at === null || at > untilMs) return;
    sim.schedule(at, phase, () => {
      onArrival(++n);
      plan(at);
    });
  };
  plan(0);
}
