// One scheduling cycle for one pod (schedule_one.go, reference §4.3-4.5): PreFilter, find
// feasible nodes from nextStartNodeIndex until enough are found, score them, pick the best with a
// seeded reservoir tie-break. Pure over a snapshot: binding is the caller's job.
import type { NodeInfo } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import type { RandomStream } from '../engine/random.ts';
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin, Snapshot } from './framework.ts';

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export interface Profile {
  filters: FilterPlugin[];
  scores: WeightedScorePlugin[];
  /** 0 = adaptive (numFeasibleNodesToFind), else a fixed percentage. */
  percentageOfNodesToScore: number;
}

/** The outcome of one cycle. The examined nodes that failed are kept as two parallel arrays (a
 *  failing pod is rejected by thousands of nodes, and a pod that fits never reads them); the map
 *  view is built on first use. */
export class CycleResult {
  private byNode: Map<NodeInfo, FilterFailure> | null = null;

  constructor(
    readonly node: NodeInfo | null,
    /** Examined nodes that failed, in the order examined... */
    readonly failedNodes: readonly NodeInfo[],
    /** ...and for each, the first failing filter's verdict. */
    readonly failedVerdicts: readonly FilterFailure[],
    /** Filters that ran for this pod (PreFilter did not skip them). */
    readonly activeFilters: FilterPlugin[],
    readonly state: CycleState,
  ) {}

  /** Per examined node that failed, the first failing filter's verdict. */
  get failures(): ReadonlyMap<NodeInfo, FilterFailure> {
    if (this.byNode === null) {
      this.byNode = new Map();
      for (let i = 0; i < this.failedNodes.length; i++) this.byNode.set(this.failedNodes[i], this.failedVerdicts[i]);
    }
    return this.byNode;
  }

  /** Only the UnschedulableAndUnresolvable verdicts: all preemption reads (nodesWherePreemptionMightHelp). */
  unresolvable(): ReadonlyMap<NodeInfo, FilterFailure> {
    const map = new Map<NodeInfo, FilterFailure>();
    for (let i = 0; i < this.failedNodes.length; i++) if (this.failedVerdicts[i].unresolvable) map.set(this.failedNodes[i], this.failedVerdicts[i]);
    return map;
  }
}

/** numFeasibleNodesToFind with the adaptive percentage (reference §4.3). */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore: number): number {
  const minFeasibleNodesToFind = 100;
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < 5) pct = 5;
  }
  const found = Math.trunc((numAllNodes * pct) / 100);
  return found < minFeasibleNodesToFind ? minFeasibleNodesToFind : found;
}

export class SchedulingAlgorithm {
  /** Round-robin start of the feasible-node search (nextStartNodeIndex). */
  private nextStartNodeIndex = 0;
  /** Scratch arrays for raw scores by length, reused across pods (normalize rewrites in place). */
  private readonly rawByLength = new Map<number, number[]>();

  constructor(
    readonly profile: Profile,
    private readonly tieBreak: RandomStream,
  ) {}

  schedule(pod: Pod, snapshot: Snapshot, state: CycleState): CycleResult {
    const activeFilters = this.profile.filters.filter((f) => !f.preFilter || f.preFilter(state, pod, snapshot));
    const failedNodes: NodeInfo[] = [];
    const failedVerdicts: FilterFailure[] = [];
    const nodes = snapshot.nodeInfos;
    const result = (node: NodeInfo | null): CycleResult => new CycleResult(node, failedNodes, failedVerdicts, activeFilters, state);
    if (nodes.length === 0) return result(null);

    if (pod.nominatedNodeName) {
      const nominated = nodes.find((n) => n.node.name === pod.nominatedNodeName);
      if (nominated && runFilters(activeFilters, state, pod, nominated) === null) return result(nominated);
    }

    const toFind = numFeasibleNodesToFind(nodes.length, this.profile.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % nodes.length;
    let processed = 0;
    for (let i = 0, at = start; i < nodes.length && feasible.length < toFind; i++, at = at + 1 === nodes.length ? 0 : at + 1) {
      const nodeInfo = nodes[at];
      processed++;
      const failure = runFilters(activeFilters, state, pod, nodeInfo);
      if (failure) {
        failedNodes.push(nodeInfo);
        failedVerdicts.push(failure);
      } else feasible.push(nodeInfo);
    }
    this.nextStartNodeIndex = (start + processed) % nodes.length;

    if (feasible.length === 0) return result(null);
    if (feasible.length === 1) return result(feasible[0]);
    const scores = this.prioritize(pod, feasible, snapshot, state);
    return result(feasible[this.selectHost(scores)]);
  }

  /** Weighted sum of every score plugin's normalised scores (RunScorePlugins). */
  prioritize(pod: Pod, feasible: readonly NodeInfo[], snapshot: Snapshot, state: CycleState): number[] {
    const n = feasible.length;
    const totals = new Array<number>(n).fill(0);
    let raw = this.rawByLength.get(n);
    if (raw === undefined) {
      if (this.rawByLength.size >= 64) this.rawByLength.clear();
      this.rawByLength.set(n, (raw = new Array<number>(n).fill(0)));
    }
    for (const { plugin, weight } of this.profile.scores) {
      if (plugin.preScore && !plugin.preScore(state, pod, feasible, snapshot)) continue;
      if (plugin.scoreAll) plugin.scoreAll(state, pod, feasible, raw);
      else for (let i = 0; i < n; i++) raw[i] = plugin.score(state, pod, feasible[i]);
      if (plugin.normalize) plugin.normalize(state, pod, raw, feasible);
      for (let i = 0; i < n; i++) totals[i] += raw[i] * weight;
    }
    return totals;
  }

  /** Highest total wins; ties by reservoir sampling (selectHost), seeded. */
  private selectHost(scores: readonly number[]): number {
    let selected = 0;
    let best = scores[0];
    let ties = 1;
    for (let i = 1; i < scores.length; i++) {
      if (scores[i] > best) {
        best = scores[i];
        selected = i;
        ties = 1;
      } else if (scores[i] === best) {
        ties++;
        if (this.tieBreak.int(ties) === 0) selected = i;
      }
    }
    return selected;
  }
}

/** Runs filters in profile order and stops at the first failure, as upstream does. */
export function runFilters(filters: readonly FilterPlugin[], state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
  for (let i = 0; i < filters.length; i++) {
    const failure = filters[i].filter(state, pod, nodeInfo);
    if (failure) return failure;
  }
  return null;
}

/** "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient memory." (FitError). */
export function fitErrorMessage(numAllNodes: number, failures: Iterable<FilterFailure>): string {
  // Verdicts are often shared objects (NodeResourcesFit): count each once, then its reasons.
  const byVerdict = new Map<FilterFailure, number>();
  for (const failure of failures) byVerdict.set(failure, (byVerdict.get(failure) ?? 0) + 1);
  const histogram = new Map<string, number>();
  for (const [failure, count] of byVerdict) for (const reason of failure.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + count);
  const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}
