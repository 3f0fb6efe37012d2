// The built-in instance-type catalog: a few common node sizes with public on-demand (and, where
// a dated public table exists, spot/preemptible) prices. Every row is transcribed by hand from
// shared/data/prices/instance-types.csv, keeping that row's source and date; its README explains
// where each number comes from. Nothing here is read at run time.
//
// Caveats carried over from the source README: prices are compute only (no disks, licences,
// discounts); AWS and Azure have no committed public spot table, so their spot price is null;
// GCE "spot" is the legacy preemptible price; Azure and GCE maxPods are the 110 default, not a
// per-type value; AWS maxPods assume the VPC CNI without prefix delegation.

/** As in instance-types.csv's provider column (`gce` for Google Compute Engine). */
export type Provider = 'aws' | 'gce' | 'azure';

export interface InstanceType {
  /** "provider/name", as written in a scenario's `instanceType`: "aws/m5.xlarge". */
  id: string;
  provider: Provider;
  name: string;
  vcpu: number;
  memoryMiB: number;
  /** Pods per node (kubelet maxPods) for this type. */
  maxPods: number;
  gpu: number;
  arch: 'amd64' | 'arm64';
  onDemandUsdPerHour: number;
  /** null where no dated public spot table exists (AWS, Azure). */
  spotUsdPerHour: number | null;
  /** Provenance of the price and specs (repository@commit:path and notes). */
  source: string;
  /** Date of the price (generation date of the source table, or of its last change). */
  priceDate: string;
}

const AWS_SOURCE =
  'aws/karpenter-provider-aws@1d927085:pkg/providers/pricing/zz_generated.pricing_aws.go (us-east-1 Linux shared on-demand); ' +
  'specs: karpenter docs preview/reference/instance-types.md; max_pods: awslabs/amazon-eks-ami@2bed73dc:templates/shared/runtime/eni-max-pods.txt';
const AWS_DATE = '2026-07-20';

const AZURE_SOURCE = (family: string, ratio: number) =>
  'Azure/karpenter-provider-azure@352646f5:pkg/providers/pricing/zz_generated.pricing.go (eastus Linux pay-as-you-go retail); ' +
  `specs DERIVED from published ${family} ratio ${ratio} GiB/vCPU; ` +
  'max_pods=110 default (k8s/kubenet default; repo default for Azure CNI overlay is 250; node-subnet 30)';
const AZURE_DATE = '2026-06-18';

const GCE_SOURCE =
  'kubernetes/autoscaler@55c37cd5:cluster-autoscaler/cloudprovider/gce/gce_price_info.go instancePrices/preemptiblePrices (no region stated); ' +
  'specs DERIVED from published ratio 4 GiB/vCPU; max_pods=110 GKE Standard default';

type Row = Omit<InstanceType, 'id' | 'source' | 'priceDate' | 'arch'> & { source: string; priceDate: string };

function aws(name: string, vcpu: number, memoryMiB: number, maxPods: number, gpu: number, onDemandUsdPerHour: number): Row {
  return { provider: 'aws', name, vcpu, memoryMiB, maxPods, gpu, onDemandUsdPerHour, spotUsdPerHour: null, source: AWS_SOURCE, priceDate: AWS_DATE };
}

const ROWS: Row[] = [
  // provider, name, vcpu, memory MiB, max pods, gpu, on-demand $/h   (instance-types.csv)
  aws('m5.large', 2, 8192, 29, 0, 0.096),
  aws('m5.xlarge', 4, 16384, 58, 0, 0.192),
  aws('m5.2xlarge', 8, 32768, 58, 0, 0.384),
  aws('m5.4xlarge', 16, 65536, 234, 0, 0.768),
  aws('m6i.xlarge', 4, 16384, 58, 0, 0.192),
  aws('c5.xlarge', 4, 8192, 58, 0, 0.17),
  aws('c5.2xlarge', 8, 16384, 58, 0, 0.34),
  aws('r5.large', 2, 16384, 29, 0, 0.126),
  aws('r5.xlarge', 4, 32768, 58, 0, 0.252),
  aws('g4dn.xlarge', 4, 16384, 29, 1, 0.526),
  {
    provider: 'gce', name: 'n2-standard-4', vcpu: 4, memoryMiB: 16384, maxPods: 110, gpu: 0,
    onDemandUsdPerHour: 0.1942, spotUsdPerHour: 0.047, source: GCE_SOURCE, priceDate: '2020-05-07',
  },
  {
    provider: 'gce', name: 'n2-standard-8', vcpu: 8, memoryMiB: 32768, maxPods: 110, gpu: 0,
    onDemandUsdPerHour: 0.3885, spotUsdPerHour: 0.094, source: GCE_SOURCE, priceDate: '2020-05-07',
  },
  {
    provider: 'gce', name: 'e2-standard-4', vcpu: 4, memoryMiB: 16384, maxPods: 110, gpu: 0,
    onDemandUsdPerHour: 0.13402, spotUsdPerHour: 0.04021, source: GCE_SOURCE, priceDate: '2020-05-07',
  },
  {
    provider: 'azure', name: 'Standard_D4s_v5', vcpu: 4, memoryMiB: 16384, maxPods: 110, gpu: 0,
    onDemandUsdPerHour: 0.192, spotUsdPerHour: null, source: AZURE_SOURCE('Ds_v5', 4), priceDate: AZURE_DATE,
  },
  {
    provider: 'azure', name: 'Standard_E4s_v5', vcpu: 4, memoryMiB: 32768, maxPods: 110, gpu: 0,
    onDemandUsdPerHour: 0.252, spotUsdPerHour: null, source: AZURE_SOURCE('Es_v5', 8), priceDate: AZURE_DATE,
  },
];

const CATALOG: readonly InstanceType[] = ROWS.map((row) => Object.freeze({ id: `${row.provider}/${row.name}`, arch: 'amd64' as const, ...row }));
const BY_ID = new Map(CATALOG.map((t) => [t.id.toLowerCase(), t]));

/** `gcp/...` (the DESIGN's provider name) is accepted for `gce/...` (the CSV's). */
const PROVIDER_ALIASES: Record<string, Provider> = { gce: 'gce', gcp: 'gce', aws: 'aws', azure: 'azure' };

/** Looks up "aws/m5.xlarge" (case-insensitive; "gcp/..." is accepted for "gce/..."). */
export function findInstanceType(id: string): InstanceType | undefined {
  const slash = id.indexOf('/');
  if (slash < 0) return undefined;
  const provider = PROVIDER_ALIASES[id.slice(0, slash).toLowerCase()];
  if (!provider) return undefined;
  return BY_ID.get(`${provider}/${id.slice(slash + 1)}`.toLowerCase());
}

/** Every built-in instance type, in catalog order (by provider, then family and size). */
export function listInstanceTypes(): readonly InstanceType[] {
  return CATALOG;
}
