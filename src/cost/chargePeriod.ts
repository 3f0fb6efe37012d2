// A charge period: one node over one UTC clock hour, as a cloud bill (and FOCUS's ChargePeriod)
// counts it, with what OpenCost's allocation charged each workload on it in that hour. The cost
// allocation (allocationWindows.ts) settles one at every clock hour and at the end of the run,
// and hands it to its listeners: the carbon account (carbon/) and the FOCUS writer (focus/).
//
// Everything is an integral over the part of the hour the node existed (aliveMs): the price
// changes under a spot price history (pricing/), requests change as pods come and go, usage as
// demand moves. The three prices follow FOCUS's cost columns: list (the published price, spot
// prices included, before any discount), contracted (after negotiated discounts) and effective
// (after commitment discounts too: what the run charges, cost.totalUsd).
import type { Node } from '../model/node.ts';
import type { NodeRates } from './allocation.ts';

export const CHARGE_PERIOD_MS = 3_600_000;

/** One workload's share of a node over a charge period (OpenCost's allocation). */
export interface WorkloadCharge {
  /** "Kind/namespace/name" (or the bare pod's "Pod/namespace/name"). */
  readonly ref: string;
  readonly namespace: string;
  /** ∫ requests and ∫ usage over the period, on this node. */
  readonly cpuRequestedMilliMs: number;
  readonly cpuUsedMilliMs: number;
  readonly memoryRequestedByteMs: number;
  readonly memoryUsedByteMs: number;
  /** What it was charged: max(∫request, ∫usage) per resource, at the node's effective rates. */
  readonly usd: number;
}

/** One node over one charge period. Objects are reused by the next period: copy what you keep. */
export interface NodeCharge {
  readonly node: Node;
  /** The clock hour, in simulated ms since the run's start: [periodStartMs, periodEndMs).
   *  It may begin before 0 (a run starting at 09:30 has a first period from 09:00). */
  readonly periodStartMs: number;
  readonly periodEndMs: number;
  /** How long the node existed in the period (creation to removal, clipped to the run). */
  readonly aliveMs: number;
  /** ∫ price dt over aliveMs, in USD: list, after negotiated discounts, charged. */
  readonly listUsd: number;
  readonly contractedUsd: number;
  readonly effectiveUsd: number;
  /** ∫ usage of everything that ran on the node over the period. */
  readonly cpuUsedMilliMs: number;
  readonly memoryUsedByteMs: number;
  /** ∫ requests of the pods bound to it. */
  readonly cpuRequestedMilliMs: number;
  readonly memoryRequestedByteMs: number;
  /** The effective per-core and per-GB rates the allocation charged at in this period. */
  readonly rates: NodeRates;
  /** The workloads charged on it, in the order they first came to the node. */
  readonly workloads: readonly WorkloadCharge[];
  /** Sum of the workloads' usd; effectiveUsd - allocatedUsd is the node's idle cost. */
  readonly allocatedUsd: number;
}

/** Told of every charge period, in time order, and within a period in node order. */
export interface ChargeListener {
  nodeCharge(charge: NodeCharge): void;
  /** After the last period of the run. */
  finish?(): void;
}

/** The first clock-hour boundary strictly after `atMs` (simulated ms) for a run starting at
 *  `startEpochMs`. */
export function nextPeriodBoundaryMs(startEpochMs: number, atMs: number): number {
  const epoch = startEpochMs + atMs;
  return Math.floor(epoch / CHARGE_PERIOD_MS) * CHARGE_PERIOD_MS + CHARGE_PERIOD_MS - startEpochMs;
}

/** A node-hour's energy and emissions (carbon/), allocated to its workloads like its cost. */
export interface NodeCarbon {
  /** Energy drawn at the wall (PUE included), in kWh. */
  readonly energyKwh: number;
  /** Emissions of that energy at the region's grid intensity, in kg CO2e. */
  readonly operationalKgCo2e: number;
  /** The hour's share of the host's manufacturing emissions, in kg CO2e. */
  readonly embodiedKgCo2e: number;
  /** operational + embodied. */
  readonly kgCo2e: number;
  /** Aligned with NodeCharge.workloads: each workload's share of kgCo2e and energyKwh. */
  readonly workloadKgCo2e: readonly number[];
  readonly workloadEnergyKwh: readonly number[];
}

/** Estimates a node-hour's carbon; null where the model cannot (no known instance type). */
export type CarbonOf = (charge: NodeCharge) => NodeCarbon | null;
