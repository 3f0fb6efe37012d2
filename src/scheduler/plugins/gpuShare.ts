// GpuShare: the Filter a GPU-share scheduler adds (open-gpu-share of hkust-adsl/kubernetes-
// scheduler-simulator, the simulator of the Alibaba GPU trace; after Alibaba's
// gpushare-scheduler-extender). The node's GPUs are tracked one by one (model/gpuDevices.ts):
// a pod asking m milli (alibabacloud.com/gpu-milli, m < 1000) fits only where one single GPU has
// m free; a pod asking n whole GPUs (nvidia.com/gpu) fits only where n GPUs are wholly free.
// NodeResourcesFit checks nvidia.com/gpu as a count and leaves gpu-milli to this plugin (as
// kube-scheduler leaves a resource an extender manages: ignoredByScheduler). Binding gives the
// pod its GPUs (NodeInfo.addPod; the pod's gpuIndices). The cluster autoscaler runs this filter
// in its simulations (it reuses the profile's filters).
import type { NodeInfo } from '../../model/node.ts';
import type { Pod } from '../../model/pod.ts';
import { GpuDevices, GPU_MILLI_RESOURCE, GPU_RESOURCE, MILLI_PER_GPU, gpuAsk, type GpuAsk } from '../../model/gpuDevices.ts';
import type { CycleState, FilterFailure, FilterPlugin } from '../framework.ts';
import { NOMINATED_STATE, type NominatedPods } from './nodeResourcesFit.ts';

export const NAME = 'GpuShare';
const PRE_FILTER_KEY = 'PreFilterGpuShare';

export const NO_GPUS = `node(s) had no GPUs (${GPU_RESOURCE})`;
export const NO_SHARE = `node(s) had no single GPU with the ${GPU_MILLI_RESOURCE} requested free`;
export const NO_WHOLE = `node(s) had too few wholly free GPUs (${GPU_RESOURCE})`;

export class GpuShare implements FilterPlugin {
  readonly name = NAME;

  /** Skip for a pod that asks for no GPU (nearly every pod). */
  preFilter(state: CycleState, pod: Pod): boolean {
    const ask = gpuAsk(pod);
    if (ask === null) return false;
    state.set(PRE_FILTER_KEY, ask);
    return true;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): FilterFailure | null {
    const ask = (state.get(PRE_FILTER_KEY) as GpuAsk | undefined) ?? gpuAsk(pod);
    if (ask === null) return null;
    if (ask.invalid !== undefined) return { plugin: NAME, reasons: [`pod ${ask.invalid}`], unresolvable: true };
    const gpus = nodeInfo.gpus;
    if (gpus === null || gpus.count < ask.count) {
      // Too few GPUs for whole ones: NodeResourcesFit says so already (Insufficient nvidia.com/gpu).
      if (ask.milli >= MILLI_PER_GPU) return null;
      return { plugin: NAME, reasons: [NO_GPUS], unresolvable: true };
    }
    const devices = withNominated(state, pod, gpus, nodeInfo);
    if (devices.place(ask) !== null) return null;
    // Evicting the pods on the GPUs frees them: preemption can help.
    return { plugin: NAME, reasons: [ask.milli < MILLI_PER_GPU ? NO_SHARE : NO_WHOLE], unresolvable: false };
  }
}

/** The node's GPUs with the GPU pods nominated to it (of at least the pod's priority, not yet
 *  bound) placed too, as RunFilterPluginsWithNominatedPods filters; the node's own otherwise. */
function withNominated(state: CycleState, pod: Pod, gpus: GpuDevices, nodeInfo: NodeInfo): GpuDevices {
  const nominated = (state.get(NOMINATED_STATE) as NominatedPods | undefined)?.get(nodeInfo.node.name);
  if (!nominated) return gpus;
  let copy: GpuDevices | null = null;
  for (const other of nominated) {
    if (other === pod || other.priority < pod.priority || other.node) continue;
    const ask = gpuAsk(other);
    if (ask === null || ask.invalid !== undefined) continue;
    if (copy === null) {
      copy = new GpuDevices(gpus.count);
      copy.used.splice(0, gpus.count, ...gpus.used);
    }
    copy.add(other, ask, undefined);
  }
  return copy ?? gpus;
}
