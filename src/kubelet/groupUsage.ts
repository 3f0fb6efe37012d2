// What a group's containers use at its workload's current load, and what that adds to its
// workload's and node's totals. Ready pods want CPU for their load, capped at the limit (CFS
// quota: the rest is throttled); on a contended node they get what the water-filling gave them
// (cpu.ts); what that CPU serves goes to the workload's Service; memory is a linear function of
// time (load memory plus the leak since each container started). A group's contributions are
// replaced by difference, so no total is ever summed from scratch; what it contributed up to now
// is first added to its workload-on-node account (the exact integrals the cost allocation reads).
import type { UsageIntegral } from '../metrics/metricsApi.ts';
import { servingCapacity } from '../workload/usage.ts';
import type { Group } from './podGroups.ts';
import { keepReadySums } from './stats.ts';

/** Scratch result of loudPending, for accrue. */
const pending: UsageIntegral = { cpuUsedMilliMs: 0, memoryByteMs: 0 };

/** Recomputes a group's CPU, served demand and memory at its workload's current load, and
 *  replaces its contributions to its workload's and node's totals. */
export function recomputeGroup(g: Group, nowMs: number): void {
  accrue(g, nowMs);
  const w = g.w;
  w.version++;
  const n = g.node;
  const sp = g.spec;
  const service = w.service;
  sp.update(service.load, w.noiseFactor, nowMs);
  const models = g.models;
  const ready = g.ready;
  const contended = n.contended;
  let wantCapped = 0;
  let wantRaw = 0;
  let throttled = 0;
  let used = 0;
  let perPod = contended ? service.load : sp.servedPerPod;
  let memA = 0;
  let memB = 0;
  /** A Ready pod's CPU, summed in podUsage's order (the same double). */
  let readyCpu = 0;
  for (let c = 0; c < models.length; c++) {
    const idle = g.idleRunning[c];
    const cappedReady = sp.cappedReady[c];
    const cappedIdle = sp.cappedIdle[c];
    if (!contended) {
      g.readyGot[c] = cappedReady;
      g.idleGot[c] = cappedIdle;
    } else {
      perPod = Math.min(perPod, servingCapacity(models[c], g.readyGot[c]));
    }
    wantCapped += ready * cappedReady + idle * cappedIdle;
    wantRaw += ready * sp.wantReady[c] + idle * sp.wantIdle[c];
    throttled += ready * (sp.wantReady[c] - cappedReady) + idle * (sp.wantIdle[c] - cappedIdle);
    const readyGot = g.readyGot[c];
    readyCpu += readyGot;
    const got = ready * readyGot + idle * g.idleGot[c];
    used += got;
    memA += ready * sp.memReady[c] + idle * sp.memIdle[c];
    const leak = models[c].leakBytesPerMs;
    if (leak > 0) {
      memA -= leak * g.sumStart[c];
      memB += leak * g.running[c];
    }
  }
  const served = ready * perPod;
  w.cpuUsedMilli += used - g.cpuUsed;
  w.cpuWantMilli += wantRaw - g.cpuWantRaw;
  w.cpuThrottledMilli += throttled - g.cpuThrottled;
  service.capacityChanged(served - g.served);
  w.memA += memA - g.memA;
  w.memB += memB - g.memB;
  n.cpuUsedMilli += used - g.cpuUsed;
  n.cpuWantCapped += wantCapped - g.cpuWantCapped;
  n.memA += memA - g.memA;
  n.memB += memB - g.memB;
  g.cpuUsed = used;
  g.cpuWantCapped = wantCapped;
  g.cpuWantRaw = wantRaw;
  g.cpuThrottled = throttled;
  g.served = served;
  g.memA = memA;
  g.memB = memB;
  keepReadySums(g, readyCpu);
}

/** Takes a group's contributions out of its workload's and node's totals (it goes quiet). */
export function withdrawGroup(g: Group, nowMs: number): void {
  accrue(g, nowMs);
  const w = g.w;
  const n = g.node;
  w.cpuUsedMilli -= g.cpuUsed;
  w.cpuWantMilli -= g.cpuWantRaw;
  w.cpuThrottledMilli -= g.cpuThrottled;
  w.service.capacityChanged(-g.served);
  w.memA -= g.memA;
  w.memB -= g.memB;
  n.cpuUsedMilli -= g.cpuUsed;
  n.cpuWantCapped -= g.cpuWantCapped;
  n.memA -= g.memA;
  n.memB -= g.memB;
  g.cpuUsed = g.cpuWantCapped = g.cpuWantRaw = g.cpuThrottled = g.served = g.memA = g.memB = 0;
}

/** ∫ CPU and ∫ memory of what a group contributes itself (constant CPU, memory linear in time)
 *  since usageMs, into `out`. */
export function loudPending(g: Group, nowMs: number, out: UsageIntegral): void {
  const dt = nowMs - g.usageMs;
  out.cpuUsedMilliMs = g.cpuUsed * dt;
  out.memoryByteMs = (g.memA + (g.memB * (g.usageMs + nowMs)) / 2) * dt;
}

/** Adds a group's own contribution since it was last accrued to its workload-on-node account;
 *  called before that contribution changes. */
function accrue(g: Group, nowMs: number): void {
  if (nowMs <= g.usageMs) return;
  loudPending(g, nowMs, pending);
  g.usage.cpuUsedMilliMs += pending.cpuUsedMilliMs;
  g.usage.memoryByteMs += pending.memoryByteMs;
  g.usageMs = nowMs;
}
