// Sums every node-hour's carbon (carbonModel.ts) as the cost allocation settles it: in all,
// operational and embodied, by pool, region, namespace and workload, and idle (what no workload
// was charged), for summary.json's `carbon` section; and the warnings for nodes whose carbon is
// estimated from defaults or not at all, so a gap is never a silent 0.
import type { CarbonOf, ChargeListener, NodeCarbon, NodeCharge } from '../cost/chargePeriod.ts';
import type { CarbonSettings } from '../model/carbonSettings.ts';
import type { CarbonSummary, RunWarning } from '../outputs/summary.ts';
import { round } from '../outputs/format.ts';
import { CarbonModel, type CarbonGap } from './carbonModel.ts';

/** kg CO2e and kWh to 6 decimals (a gram is 0.001), once, when summary.json is written. */
const kg = (v: number) => round(v, 6);

export class CarbonAccount implements ChargeListener {
  readonly model: CarbonModel;
  energyKwh = 0;
  operationalKgCo2e = 0;
  embodiedKgCo2e = 0;
  allocatedKgCo2e = 0;
  allocatedEnergyKwh = 0;
  /** Node-hours whose carbon could not be estimated at all (no known instance type). */
  unestimatedNodeHours = 0;
  readonly byPool = new Map<string, number>();
  readonly byRegion = new Map<string, number>();
  /** By workload ref: its namespace and kg CO2e (by namespace is summed from these at the end:
   *  one map lookup per workload-hour, millions in a month of a large cluster). */
  private readonly workloads = new Map<string, { namespace: string; kgCo2e: number }>();

  /** The node-hour last counted and its estimate, so a later listener of the same node-hour
   *  (the FOCUS writer) reads the figures counted here without estimating again. */
  private lastCharge: NodeCharge | null = null;
  private lastCarbon: NodeCarbon | null = null;
  readonly carbonOf: CarbonOf = (charge) => (charge === this.lastCharge ? this.lastCarbon : this.model.estimate(charge));

  constructor(settings: CarbonSettings = {}) {
    this.model = new CarbonModel(settings);
  }

  nodeCharge(charge: NodeCharge): void {
    const carbon = this.model.estimate(charge);
    this.lastCharge = charge;
    this.lastCarbon = carbon;
    if (!carbon) {
      this.unestimatedNodeHours += charge.aliveMs / 3_600_000;
      return;
    }
    this.energyKwh += carbon.energyKwh;
    this.operationalKgCo2e += carbon.operationalKgCo2e;
    this.embodiedKgCo2e += carbon.embodiedKgCo2e;
    add(this.byPool, charge.node.pool ?? '(manifest nodes)', carbon.kgCo2e);
    add(this.byRegion, this.model.profileOf(charge.node)!.region, carbon.kgCo2e);
    const { workloads } = charge;
    for (let i = 0; i < workloads.length; i++) {
      const w = workloads[i];
      const kgCo2e = carbon.workloadKgCo2e[i];
      this.allocatedKgCo2e += kgCo2e;
      this.allocatedEnergyKwh += carbon.workloadEnergyKwh[i];
      const entry = this.workloads.get(w.ref);
      if (entry) entry.kgCo2e += kgCo2e;
      else this.workloads.set(w.ref, { namespace: w.namespace, kgCo2e });
    }
  }

  /** allocatedKgCo2e by workload ref and by namespace. */
  get byWorkload(): Map<string, number> {
    return new Map([...this.workloads].map(([ref, w]) => [ref, w.kgCo2e]));
  }

  get byNamespace(): Map<string, number> {
    const out = new Map<string, number>();
    for (const w of this.workloads.values()) add(out, w.namespace, w.kgCo2e);
    return out;
  }

  get kgCo2e(): number {
    return this.operationalKgCo2e + this.embodiedKgCo2e;
  }

  summary(): CarbonSummary {
    const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, kg(v)]));
    return {
      kgCo2e: kg(this.kgCo2e),
      energyKwh: kg(this.energyKwh),
      operationalKgCo2e: kg(this.operationalKgCo2e),
      embodiedKgCo2e: kg(this.embodiedKgCo2e),
      allocatedKgCo2e: kg(this.allocatedKgCo2e),
      idleKgCo2e: kg(this.kgCo2e - this.allocatedKgCo2e),
      unestimatedNodeHours: round(this.unestimatedNodeHours, 4),
      byPool: sorted(this.byPool),
      byRegion: sorted(this.byRegion),
      byNamespace: sorted(this.byNamespace),
      byWorkload: sorted(this.byWorkload),
    };
  }

  /** One warning per kind of gap, naming the pools of the nodes it concerns (nodes of no pool by name). */
  warnings(): RunWarning[] {
    return gapWarnings(this.model.gaps);
  }
}

/** The warnings of `gaps` (carbonModel.ts noteGaps), most serious first. */
export function gapWarnings(gaps: ReadonlyMap<CarbonGap, ReadonlySet<string>>): RunWarning[] {
  return [...gaps]
    .sort(([a], [b]) => GAP_ORDER.indexOf(a) - GAP_ORDER.indexOf(b))
    .map(([gap, objects]) => ({ code: gap === 'no-instance-type' ? 'carbon-unknown' : 'carbon-approximate', title: GAP_TEXT[gap].title, objects: [...objects], message: GAP_TEXT[gap].message }));
}

const GAP_ORDER: readonly CarbonGap[] = ['no-instance-type', 'unknown-embodied', 'unknown-architecture', 'gpu-unknown', 'gpu-average-utilization', 'default-region', 'unknown-region'];

const GAP_TEXT: Record<CarbonGap, { title: string; message: string }> = {
  'no-instance-type': {
    title: 'carbon not estimated',
    message: 'These nodes have no instance type the catalog knows (capsim catalog), so the Cloud Carbon Footprint method has no provider, watts or host for them: their energy and emissions are left out of carbon.kgCo2e (carbon.unestimatedNodeHours counts their hours). Give them a catalog instanceType (a pool\'s instanceType, or the node.kubernetes.io/instance-type label).',
  },
  'unknown-embodied': {
    title: 'embodied carbon unknown',
    message: 'The Cloud Carbon Footprint coefficients list no manufacturing emissions for these nodes\' host (see docs/outputs.md "Carbon"): their embodied emissions count as 0 and carbon.kgCo2e is low. Set spec.carbon.embodiedKgCo2ePerHost for the instance type or family.',
  },
  'unknown-architecture': {
    title: 'carbon from average watts',
    message: 'The Cloud Carbon Footprint coefficients do not know these nodes\' microarchitecture: their power uses CCF\'s provider average watts per vCPU and no memory beyond the chips\' own. Set spec.carbon.wattsPerVcpu to use your own figures.',
  },
  'gpu-average-utilization': {
    title: 'GPU power at 50 % use',
    message: 'capsim does not model GPU use: these nodes\' GPUs are counted at the Cloud Carbon Footprint\'s average utilization, 50 % (its min/max watts per GPU), and their energy is charged to workloads by their cost share.',
  },
  'gpu-unknown': {
    title: 'GPU power not counted',
    message: 'These nodes have GPUs the Cloud Carbon Footprint coefficients give no watts for: their power is not counted, so their carbon is low.',
  },
  'default-region': {
    title: 'carbon in the default region',
    message: 'Neither a pricing region nor a zone names these nodes\' region: the grid intensity of the provider\'s default region (aws us-east-1, gce us-central1, azure eastus) was used. Set spec.carbon.region (or zones such as us-east-1a).',
  },
  'unknown-region': {
    title: 'carbon at mean grid intensity',
    message: 'These nodes\' region is not in the Cloud Carbon Footprint grid table: CCF\'s mean for the provider was used. Set spec.carbon.gridIntensityGPerKwh for the region.',
  },
};

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}
