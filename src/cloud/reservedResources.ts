// What each managed Kubernetes offering keeps back from a node for the kubelet, the container
// runtime and the OS (kube-reserved) and as the hard-eviction margin, by its documented formula.
// allocatable = capacity - kubeReserved - systemReserved - evictionHard (reference §5.1); none of
// the three offerings sets system-reserved.
//
// Every amount is an integer: CPU in millicores, memory in whole MiB, each tier's share rounded
// down as nodeadm's getResourceToReserveInRange does (integer division).
import type { Provider } from '../cost/catalog.ts';
import { parseBytes } from '../quantity.ts';

const MiB = 1024 * 1024;

/** The node as the formulas see it. */
export interface NodeShape {
  cpuMilli: number;
  memoryBytes: number;
  /** kubelet maxPods. */
  maxPods: number;
}

export interface Reservation {
  kubeReserved: { cpuMilli: number; memoryBytes: number };
  /** kubelet evictionHard memory.available, as the provider writes it. */
  evictionHardMemoryAvailable: string;
}

/** A band of a tiered reservation: `basisPoints`/10000 of the amount between the previous band's
 *  end and `upTo`. */
interface Tier {
  upTo: number;
  basisPoints: number;
}

/** Σ over tiers of the part of `amount` inside the tier × its rate, each share truncated. */
function tiered(amount: number, tiers: readonly Tier[]): number {
  let reserved = 0;
  let from = 0;
  for (const { upTo, basisPoints } of tiers) {
    if (amount <= from) break;
    reserved += Math.floor(((Math.min(amount, upTo) - from) * basisPoints) / 10000);
    from = upTo;
  }
  return reserved;
}

/** 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% of every core above 4
 *  (GKE's table, which EKS copied). In millicores. */
const GKE_CPU_TIERS: readonly Tier[] = [
  { upTo: 1000, basisPoints: 600 },
  { upTo: 2000, basisPoints: 100 },
  { upTo: 4000, basisPoints: 50 },
  { upTo: Infinity, basisPoints: 25 },
];

/**
 * EKS (Amazon Linux nodes, nodeadm): kube-reserved cpu by the GKE core table, memory
 * 11 MiB × maxPods + 255 MiB; evictionHard memory.available 100Mi.
 * Source: awslabs/amazon-eks-ami@01375496:nodeadm/internal/kubelet/config.go
 * (getCPUMillicoresToReserve, GetMemoryMebibytesToReserve, defaultKubeletSubConfig); the same
 * formula as the older files/bootstrap.sh (get_cpu_millicores_to_reserve,
 * get_memory_mebibytes_to_reserve) and Karpenter's kubeReservedResources.
 */
export function eksReserved(node: NodeShape): Reservation {
  return {
    kubeReserved: { cpuMilli: tiered(node.cpuMilli, GKE_CPU_TIERS), memoryBytes: (11 * node.maxPods + 255) * MiB },
    evictionHardMemoryAvailable: '100Mi',
  };
}

/** 25% of the first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112, 2% above
 *  128 GiB. In MiB. */
const GKE_MEMORY_TIERS: readonly Tier[] = [
  { upTo: 4 * 1024, basisPoints: 2500 },
  { upTo: 8 * 1024, basisPoints: 2000 },
  { upTo: 16 * 1024, basisPoints: 1000 },
  { upTo: 128 * 1024, basisPoints: 600 },
  { upTo: Infinity, basisPoints: 200 },
];

/**
 * GKE Standard: kube-reserved memory by GKE_MEMORY_TIERS (255 MiB on machines with less than
 * 1 GiB), cpu by the core table; evictionHard memory.available 100Mi.
 * Source: https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes#memory_and_cpu_reservations
 * (tiers and the 100 MiB eviction margin as restated by github.com/hatemosphere/gke-node-allocatable-memory-calculator;
 * the cpu table as quoted in amazon-eks-ami's bootstrap.sh). GKE gives percentages only; capsim
 * truncates each tier's share to a whole MiB.
 */
export function gkeReserved(node: NodeShape): Reservation {
  const memoryMiB = Math.floor(node.memoryBytes / MiB);
  const memoryReservedMiB = memoryMiB < 1024 ? 255 : tiered(memoryMiB, GKE_MEMORY_TIERS);
  return {
    kubeReserved: { cpuMilli: tiered(node.cpuMilli, GKE_CPU_TIERS), memoryBytes: memoryReservedMiB * MiB },
    evictionHardMemoryAvailable: '100Mi',
  };
}

/** 6% of the first core, 4% of the second, 2% of cores 3-4, 1% of every core above 4: the AKS
 *  table 60/100/140/180/260/420/740m at 1/2/4/8/16/32/64 cores. In millicores. */
const AKS_CPU_TIERS: readonly Tier[] = [
  { upTo: 1000, basisPoints: 600 },
  { upTo: 2000, basisPoints: 400 },
  { upTo: 4000, basisPoints: 200 },
  { upTo: Infinity, basisPoints: 100 },
];

/**
 * AKS 1.29 and later (Linux): kube-reserved memory = the lesser of 20 MiB × maxPods + 50 MiB and
 * 25% of the node's memory; evictionHard memory.available 100Mi; cpu by AKS_CPU_TIERS.
 * Source: MicrosoftDocs/azure-aks-docs@11fb7fb8:articles/aks/node-resource-reservations.md
 * (https://learn.microsoft.com/azure/aks/node-resource-reservations). The page writes "MB";
 * AKS's kubeReserved API field memoryMB is documented "in MiB", so MiB are used. The page gives
 * cpu only at 1-64 cores; the tiers that reproduce it exactly are those of
 * Azure/karpenter-provider-azure@00ae1126:pkg/providers/instancetype/instancetype.go
 * (reservedCPUTaxVCPU), which fill in 20, 48 and 72 cores. (Before 1.29 AKS used GKE's memory
 * tiers and a 750Mi eviction margin.)
 */
export function aksReserved(node: NodeShape): Reservation {
  const memoryMiB = Math.floor(node.memoryBytes / MiB);
  const memoryReservedMiB = Math.min(20 * node.maxPods + 50, Math.floor(memoryMiB / 4));
  return {
    kubeReserved: { cpuMilli: tiered(node.cpuMilli, AKS_CPU_TIERS), memoryBytes: memoryReservedMiB * MiB },
    evictionHardMemoryAvailable: '100Mi',
  };
}

const BY_PROVIDER: Record<Provider, (node: NodeShape) => Reservation> = { aws: eksReserved, gce: gkeReserved, azure: aksReserved };

/** The managed offering's reservation for a node of a catalog provider: EKS, GKE or AKS. */
export function reservedFor(provider: Provider, node: NodeShape): Reservation {
  return BY_PROVIDER[provider](node);
}

/** The managed offering's name for a catalog provider, for output. */
export const OFFERING: Record<Provider, string> = { aws: 'EKS', gce: 'GKE', azure: 'AKS' };

/** Allocatable cpu and memory of a node under its provider's reservation (reference §5.1, with
 *  nothing system-reserved); the simulator's own is allocatableOf in controllers/nodeLifecycle.ts. */
export function allocatableUnder(provider: Provider, node: NodeShape): { cpuMilli: number; memoryBytes: number } {
  const { kubeReserved, evictionHardMemoryAvailable } = reservedFor(provider, node);
  return {
    cpuMilli: Math.max(0, node.cpuMilli - kubeReserved.cpuMilli),
    memoryBytes: Math.max(0, node.memoryBytes - kubeReserved.memoryBytes - parseBytes(evictionHardMemoryAvailable)),
  };
}
