// GPU fragmentation as "Beware of Fragmentation" (Weng et al., USENIX ATC'23) measures it, after
// its simulator (hkust-adsl/kubernetes-scheduler-simulator, NodeGpuShareFragAmount): for a task
// of the typical mix that a node can host (CPU and enough GPUs with the milli it asks), the free
// milli of the GPUs that have less than it asks are fragments; for one the node cannot host, all
// the node's free GPU milli are. A node's fragmentation is the mean over the mix, weighted by how
// common each task is; the cluster's is the sum over nodes. The mix here: every pod asking for
// GPUs created so far in the run, grouped by what it asks (CPU, GPUs, milli per GPU); unlike the
// paper's simulator, the GPU model a task wants is not part of it.
import { GpuDevices, MILLI_PER_GPU, gpuAsk } from '../model/gpuDevices.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';

interface TaskClass {
  readonly cpuMilli: number;
  readonly count: number;
  readonly milli: number;
  pods: number;
}

/** Per node: the state its figures were computed for, and one figure per class. */
interface NodeFigures {
  key: string;
  perClass: number[];
}

export class FragmentationMeter {
  private readonly classes: TaskClass[] = [];
  private readonly byKey = new Map<string, TaskClass>();
  private pods = 0;
  private readonly figures = new Map<Node, NodeFigures>();

  /** A pod created: part of the mix if it asks for GPUs (rightly). */
  podCreated(pod: Pod): void {
    const ask = gpuAsk(pod);
    if (ask === null || ask.invalid !== undefined) return;
    const key = `${pod.requests.cpuMilli}/${ask.count}/${ask.milli}`;
    let c = this.byKey.get(key);
    if (!c) {
      c = { cpuMilli: pod.requests.cpuMilli, count: ask.count, milli: ask.milli, pods: 0 };
      this.byKey.set(key, c);
      this.classes.push(c);
    }
    c.pods++;
    this.pods++;
  }

  /** The fragmented GPU milli of these nodes for the mix (0 before any GPU pod was created). */
  measure(nodes: readonly Node[]): number {
    if (this.pods === 0) return 0;
    const totals = new Array<number>(this.classes.length).fill(0);
    for (const node of nodes) {
      const gpus = node.info.gpus;
      if (gpus === null) continue;
      const cpuFree = node.allocatable.cpuMilli - node.info.requested.cpuMilli;
      const key = `${cpuFree}:${gpus.used.join(',')}`;
      let f = this.figures.get(node);
      if (!f || f.key !== key) this.figures.set(node, (f = { key, perClass: [] }));
      for (let i = f.perClass.length; i < this.classes.length; i++) f.perClass.push(nodeFragment(gpus, cpuFree, this.classes[i]));
      for (let i = 0; i < totals.length; i++) totals[i] += f.perClass[i];
    }
    let sum = 0;
    for (let i = 0; i < totals.length; i++) sum += (this.classes[i].pods / this.pods) * totals[i];
    return sum;
  }
}

/** The free GPU milli of the node that a task of the class cannot use. */
export function nodeFragment(gpus: GpuDevices, cpuFree: number, task: { cpuMilli: number; count: number; milli: number }): number {
  let free = 0;
  let below = 0;
  let fitting = 0;
  for (const u of gpus.used) {
    const f = Math.max(0, MILLI_PER_GPU - u);
    free += f;
    if (f >= task.milli) fitting++;
    else below += f;
  }
  return cpuFree >= task.cpuMilli && fitting >= task.count ? below : free;
}
