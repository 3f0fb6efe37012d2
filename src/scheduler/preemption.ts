// DefaultPreemption (plugins/defaultpreemption + framework/preemption, reference §4.6): when no
// node fits, find nodes where evicting lower-priority pods would make room, keep as many of them
// as possible (reprieve, PDB-protected first), and pick the node that hurts least.
import type { NodeInfo } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import type { RandomStream } from '../engine/random.ts';
import type { CycleState, FilterFailure, FilterPlugin } from './framework.ts';
import { runFilters } from './algorithm.ts';

/** The PDB view preemption needs: which of these pods could not be evicted without violating a
 *  budget, counting each eviction against the budgets in order (filterPodsWithPDBViolation). */
export interface DisruptionBudgets {
  splitByBudget(pods: readonly Pod[]): { violating: Pod[]; nonViolating: Pod[] };
}

export interface Candidate {
  nodeInfo: NodeInfo;
  victims: Pod[];
  numPDBViolations: number;
}

export type PreemptionOutcome =
  | { kind: 'nominated'; candidate: Candidate }
  | { kind: 'failed'; message: string };

const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export class DefaultPreemption {
  constructor(
    private readonly budgets: DisruptionBudgets,
    private readonly random: RandomStream,
  ) {}

  preempt(
    pod: Pod,
    allNodes: readonly NodeInfo[],
    failures: ReadonlyMap<NodeInfo, FilterFailure>,
    filters: readonly FilterPlugin[],
    state: CycleState,
    /** The lowest priority of any pod on any node (a lower bound is enough): when the pod's is not
     *  above it, no node holds a victim and every SelectVictimsOnNode would say so. */
    lowestPriorityOnNodes = -Infinity,
  ): PreemptionOutcome {
    const total = allNodes.length;
    if (pod.preemptionPolicy === 'Never') return { kind: 'failed', message: 'preemption: not eligible due to preemptionPolicy=Never.' };
    if (pod.nominatedNodeName) {
      const nominated = allNodes.find((n) => n.node.name === pod.nominatedNodeName);
      // Victims of an earlier preemption are still terminating: wait for them instead.
      if (nominated?.pods.some((p) => p.deletionMs >= 0 && p.priority < pod.priority)) {
        return { kind: 'failed', message: 'preemption: not eligible due to a terminating pod on the nominated node.' };
      }
    }

    const potential = allNodes.filter((n) => !failures.get(n)?.unresolvable);
    const notHelpful = total - potential.length;
    if (potential.length === 0) return { kind: 'failed', message: preemptionMessage(total, 0, notHelpful) };

    const wanted = Math.max(MIN_CANDIDATE_NODES_ABSOLUTE, Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100));
    const offset = this.random.int(potential.length);
    // Same outcome as the loop below when no node has a lower-priority pod: each node examined
    // (all of them, as no candidate stops it early) is "No preemption victims found".
    if (pod.priority <= lowestPriorityOnNodes) return { kind: 'failed', message: preemptionMessage(total, potential.length, notHelpful) };
    const candidates: Candidate[] = [];
    let noVictims = 0;
    for (let i = 0; i < potential.length && candidates.length < wanted; i++) {
      const nodeInfo = potential[(offset + i) % potential.length];
      const candidate = this.selectVictimsOnNode(pod, nodeInfo, filters, state);
      if (candidate) candidates.push(candidate);
      else noVictims++;
    }
    if (candidates.length === 0) return { kind: 'failed', message: preemptionMessage(total, noVictims, notHelpful) };
    return { kind: 'nominated', candidate: pickOneNodeForPreemption(candidates) };
  }

  /** SelectVictimsOnNode: remove all lower-priority pods; if the pod then fits, reprieve as many
   *  as possible, highest priority first, PDB-violating ones before the others. */
  selectVictimsOnNode(pod: Pod, nodeInfo: NodeInfo, filters: readonly FilterPlugin[], cycleState: CycleState): Candidate | null {
    // No lower-priority pod, no victim: skip the clones (most nodes, when priorities are equal).
    if (!hasLowerPriority(nodeInfo, pod.priority)) return null;
    const state = cloneState(cycleState);
    const clone = nodeInfo.clone();
    const lower = clone.pods.filter((p) => p.priority < pod.priority);
    if (lower.length === 0) return null;
    const remove = (victim: Pod) => {
      clone.removePod(victim);
      for (const f of filters) f.removePod?.(state, pod, victim, clone);
    };
    const add = (victim: Pod) => {
      clone.addPod(victim);
      for (const f of filters) f.addPod?.(state, pod, victim, clone);
    };
    for (const victim of lower) remove(victim);
    if (runFilters(filters, state, pod, clone) !== null) return null;
    lower.sort(moreImportantFirst);
    const { violating, nonViolating } = this.budgets.splitByBudget(lower);
    const victims: Pod[] = [];
    let numPDBViolations = 0;
    const reprieve = (candidate: Pod): boolean => {
      add(candidate);
      if (runFilters(filters, state, pod, clone) === null) return true;
      remove(candidate);
      victims.push(candidate);
      return false;
    };
    for (const p of violating) if (!reprieve(p)) numPDBViolations++;
    for (const p of nonViolating) reprieve(p);
    return { nodeInfo, victims, numPDBViolations };
  }
}

/** A per-candidate copy of the cycle state: plugin states with clone() are copied, the rest shared. */
function cloneState(state: CycleState): CycleState {
  const copy: CycleState = new Map();
  for (const [key, value] of state) {
    const cloneable = value as { clone?: () => unknown } | null;
    copy.set(key, cloneable && typeof cloneable.clone === 'function' ? cloneable.clone() : value);
  }
  return copy;
}

/** MoreImportantPod: higher priority, then the one that started earlier. */
function moreImportantFirst(a: Pod, b: Pod): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startOf(a) - startOf(b);
}

function startOf(pod: Pod): number {
  return pod.startedMs >= 0 ? pod.startedMs : pod.createdMs;
}

/** pickOneNodeForPreemption: fewest PDB violations, lowest highest-victim priority, lowest sum
 *  of priorities, fewest victims, latest start among the highest-priority victims, first node. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate {
  const criteria: ((c: Candidate) => number)[] = [
    (c) => -c.numPDBViolations,
    (c) => -Math.max(...c.victims.map((v) => v.priority)),
    (c) => -c.victims.reduce((sum, v) => sum + v.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    (c) => {
      const top = Math.max(...c.victims.map((v) => v.priority));
      return Math.min(...c.victims.filter((v) => v.priority === top).map(startOf));
    },
  ];
  let remaining = candidates.slice();
  for (const score of criteria) {
    if (remaining.length === 1) break;
    const best = Math.max(...remaining.map(score));
    remaining = remaining.filter((c) => score(c) === best);
  }
  return remaining[0];
}

function preemptionMessage(total: number, noVictims: number, notHelpful: number): string {
  const parts: string[] = [];
  if (noVictims > 0) parts.push(`${noVictims} No preemption victims found for incoming pod`);
  if (notHelpful > 0) parts.push(`${notHelpful} Preemption is not helpful for scheduling`);
  return `preemption: 0/${total} nodes are available: ${parts.sort().join(', ')}.`;
}

function hasLowerPriority(nodeInfo: NodeInfo, priority: number): boolean {
  for (const p of nodeInfo.pods) if (p.priority < priority) return true;
  return false;
}
