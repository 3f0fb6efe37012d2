// A workload's Service: its demand is spread evenly over the Service's endpoints, the pods Ready
// in the API (kube-proxy picks an endpoint at random, so each gets an equal share on average).
// A Ready pod on a machine that is down stays an endpoint until the node lifecycle controller
// marks it NotReady: the demand sent to it is lost. What the endpoints can serve is capped at the
// demand; the rest of the demand is unserved.
import type { Demand } from '../workload/demand.ts';

export class ServiceLoadBalancer {
  /** Pods the Service routes to: Ready in the API (those on a dead node included). */
  endpoints = 0;
  /** Demand offered now (units/s), and each endpoint's share of it. */
  demandRate = 0;
  load = 0;
  /** What the endpoints serve now (units/s): what they can serve, at most the demand. */
  servedRate = 0;
  /** Σ over the endpoints of what they can serve at their load (before capping at the demand). */
  private capacity = 0;
  /** ∫ demand and ∫ served since t = 0 (unit-ms). */
  demandUnitMs = 0;
  servedUnitMs = 0;

  /** `demand` null: the workload has none (its pods are idle). */
  constructor(readonly demand: Demand | null) {}

  /** A pod became an endpoint (+1) or stopped being one (-1). */
  endpointsChanged(delta: number): void {
    this.endpoints += delta;
  }

  /** Reads the demand at `nowMs` and spreads it over the endpoints. */
  route(nowMs: number): void {
    this.demandRate = this.demand ? this.demand.at(nowMs) : 0;
    this.load = this.endpoints > 0 ? this.demandRate / this.endpoints : 0;
  }

  /** What the endpoints can serve at their load moved by `deltaRate` (units/s). */
  capacityChanged(deltaRate: number): void {
    this.capacity += deltaRate;
  }

  /** Serves what can be served of the demand. */
  serve(): void {
    this.servedRate = Math.min(this.capacity, this.demandRate);
  }

  /** Adds `dtMs` at the current rates to the integrals. */
  integrate(dtMs: number): void {
    this.demandUnitMs += this.demandRate * dtMs;
    this.servedUnitMs += this.servedRate * dtMs;
  }
}
