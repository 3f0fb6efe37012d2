// The hosts behind the catalog's instance families (cost/catalog.ts), as the Cloud Carbon
// Footprint coefficients describe them: the microarchitectures an instance may run on, the host
// ("platform": the largest instance of the family, a whole machine) its share is taken of, and
// the host's manufacturing (embodied) emissions. From cloud-carbon-footprint/ccf-coefficients@
// b0032d92 (2026-04-24):
//  - aws: data/aws-instances.csv (Platform CPU Name -> microarchitecture by data/intel-*.csv and
//    data/amd-*.csv; Platform Total Number of vCPU; Platform Memory (in GB)) and
//    output/coefficients-aws-embodied.csv (total, kgCO2e). Families not in those files (m7i,
//    m7g, c6i, c7i, r6i, r7i, g5) from data/aws-instances-latest-2026.csv: the platform is the
//    family's largest size listed there (CCF's own rule: AWSMemoryEstimatesBuilder.ts takes the
//    last, largest, type of a family) and the embodied figure its "Platform Embedded Emissions
//    (mtCo2eq)" x 1000 (r7i has none there: unknown).
//  - gce: data/gcp-instances.csv (Microarchitecture, Platform vCPUs, Platform Memory) and
//    output/coefficients-gcp-embodied-mean.csv (total_mean over the microarchitectures).
//  - azure: data/azure-instances.csv and output/coefficients-azure-embodied.csv; the v5 D and E
//    series are in neither (microarchitecture, host and embodied unknown).

export interface HostCoefficients {
  /** Microarchitectures (ccf-coefficients' names); empty: unknown (the provider's averages). */
  architectures: readonly string[];
  /** The host's vCPUs and memory (GB); 0 where unknown. */
  platformVcpu: number;
  platformMemoryGb: number;
  /** The host's manufacturing emissions, kg CO2e; null where unknown. */
  embodiedKg: number | null;
  /** A burstable family: CCF estimates no memory for it (its largest size is not a whole host). */
  burstable?: boolean;
  /** The family's GPU and its watts at 0 % and 100 % (per GPU): cloud-carbon-footprint@b7a049c7
   *  packages/aws/src/lib/AWSInstanceTypes.ts INSTANCE_TYPE_GPU_PROCESSOR_MAPPING and
   *  AwsFootprintEstimationConstants.ts MIN/MAX_WATTS_BY_COMPUTE_PROCESSOR. */
  gpu?: { name: string; minWatts: number; maxWatts: number };
  /** The rows this comes from. */
  source: string;
}

const AWS_CSV = 'ccf-coefficients@b0032d92:data/aws-instances.csv + output/coefficients-aws-embodied.csv';
const AWS_2026 = 'ccf-coefficients@b0032d92:data/aws-instances-latest-2026.csv (largest size of the family)';
const GCE_CSV = 'ccf-coefficients@b0032d92:data/gcp-instances.csv + output/coefficients-gcp-embodied-mean.csv';
const AZURE_CSV = 'ccf-coefficients@b0032d92:data/azure-instances.csv + output/coefficients-azure-embodied.csv';
const AZURE_NONE = 'not in ccf-coefficients@b0032d92:data/azure-instances.csv (no v5 D/E series)';

/** By family: "m5" (aws), "n1-standard" (gce), "Fsv2" (azure). */
export const HOSTS: Record<'aws' | 'gce' | 'azure', Record<string, HostCoefficients>> = {
  aws: {
    m5: { architectures: ['Skylake'], platformVcpu: 96, platformMemoryGb: 384, embodiedKg: 1610.79, source: `${AWS_CSV} (Xeon Platinum 8175M)` },
    m6i: { architectures: ['Ice Lake'], platformVcpu: 128, platformMemoryGb: 512, embodiedKg: 1788.46, source: `${AWS_CSV} (Xeon Platinum 8375C)` },
    m7i: { architectures: ['Sapphire Rapids'], platformVcpu: 192, platformMemoryGb: 768, embodiedKg: 1900, source: `${AWS_2026} (m7i.48xlarge)` },
    m6g: { architectures: ['Graviton2'], platformVcpu: 64, platformMemoryGb: 256, embodiedKg: 1333.12, source: `${AWS_CSV} (Graviton2)` },
    m7g: { architectures: ['Graviton3'], platformVcpu: 64, platformMemoryGb: 256, embodiedKg: 880, source: `${AWS_2026} (m7g.16xlarge)` },
    c5: { architectures: ['Skylake'], platformVcpu: 72, platformMemoryGb: 192, embodiedKg: 1344.29, source: `${AWS_CSV} (Xeon Platinum 8124M)` },
    c6i: { architectures: ['Ice Lake'], platformVcpu: 128, platformMemoryGb: 256, embodiedKg: 900, source: `${AWS_2026} (c6i.32xlarge)` },
    c7i: { architectures: ['Sapphire Rapids'], platformVcpu: 192, platformMemoryGb: 384, embodiedKg: 1400, source: `${AWS_2026} (c7i.48xlarge)` },
    c6g: { architectures: ['Graviton2'], platformVcpu: 64, platformMemoryGb: 128, embodiedKg: 1155.46, source: `${AWS_CSV} (Graviton2)` },
    r5: { architectures: ['Skylake'], platformVcpu: 96, platformMemoryGb: 768, embodiedKg: 2143.79, source: `${AWS_CSV} (Xeon Platinum 8175M)` },
    r6i: { architectures: ['Ice Lake'], platformVcpu: 128, platformMemoryGb: 1024, embodiedKg: 2400, source: `${AWS_2026} (r6i.32xlarge)` },
    r7i: { architectures: ['Sapphire Rapids'], platformVcpu: 192, platformMemoryGb: 1536, embodiedKg: null, source: `${AWS_2026} (r7i.48xlarge; no embedded emissions listed)` },
    r6g: { architectures: ['Graviton2'], platformVcpu: 64, platformMemoryGb: 512, embodiedKg: 1688.46, source: `${AWS_CSV} (Graviton2)` },
    t3: { architectures: ['Skylake'], platformVcpu: 96, platformMemoryGb: 384, embodiedKg: 1610.79, burstable: true, source: `${AWS_CSV} (Xeon Platinum 8175M)` },
    t3a: { architectures: ['EPYC 1st Gen'], platformVcpu: 96, platformMemoryGb: 384, embodiedKg: 1610.79, burstable: true, source: `${AWS_CSV} (EPYC 7571)` },
    g4dn: { architectures: ['Cascade Lake'], platformVcpu: 96, platformMemoryGb: 384, embodiedKg: 3010.79, gpu: { name: 'NVIDIA T4', minWatts: 8, maxWatts: 71 }, source: `${AWS_CSV} (Xeon Platinum 8259CL, 8 GPUs)` },
    g5: { architectures: ['EPYC 2nd Gen'], platformVcpu: 192, platformMemoryGb: 768, embodiedKg: 2200, gpu: { name: 'NVIDIA A10G', minWatts: 18, maxWatts: 153 }, source: `${AWS_2026} (g5.48xlarge, EPYC 7R32)` },
    p3: { architectures: ['Broadwell'], platformVcpu: 72, platformMemoryGb: 768, embodiedKg: 3543.79, gpu: { name: 'NVIDIA Tesla V100', minWatts: 35, maxWatts: 306 }, source: `${AWS_CSV} (Xeon E5-2686 v4, 8 GPUs)` },
  },
  gce: {
    'n1-standard': { architectures: ['Skylake', 'Broadwell', 'Haswell', 'Ivy Bridge', 'Sandy Bridge'], platformVcpu: 96, platformMemoryGb: 360, embodiedKg: 1677.48, source: GCE_CSV },
    'n1-highmem': { architectures: ['Skylake', 'Broadwell', 'Haswell', 'Ivy Bridge', 'Sandy Bridge'], platformVcpu: 96, platformMemoryGb: 624, embodiedKg: 2043.92, source: GCE_CSV },
    'n1-highcpu': { architectures: ['Skylake', 'Broadwell', 'Haswell', 'Ivy Bridge', 'Sandy Bridge'], platformVcpu: 96, platformMemoryGb: 86.4, embodiedKg: 1297.72, source: GCE_CSV },
    'n2-standard': { architectures: ['Cascade Lake'], platformVcpu: 128, platformMemoryGb: 512, embodiedKg: 1888.46, source: GCE_CSV },
    'n2-highmem': { architectures: ['Cascade Lake'], platformVcpu: 128, platformMemoryGb: 864, embodiedKg: 2377.04, source: GCE_CSV },
    'n2-highcpu': { architectures: ['Cascade Lake'], platformVcpu: 96, platformMemoryGb: 96, embodiedKg: 1311.04, source: GCE_CSV },
    'e2-standard': { architectures: ['Skylake', 'Broadwell', 'Haswell', 'EPYC 2nd Gen'], platformVcpu: 32, platformMemoryGb: 128, embodiedKg: 1230.46, source: GCE_CSV },
    'e2-highmem': { architectures: ['Skylake', 'Broadwell', 'Haswell', 'EPYC 2nd Gen'], platformVcpu: 16, platformMemoryGb: 128, embodiedKg: 1230.46, source: GCE_CSV },
    'e2-highcpu': { architectures: ['Skylake', 'Broadwell', 'Haswell', 'EPYC 2nd Gen'], platformVcpu: 32, platformMemoryGb: 32, embodiedKg: 1097.21, source: GCE_CSV },
    'n2d-standard': { architectures: ['EPYC 2nd Gen'], platformVcpu: 224, platformMemoryGb: 896, embodiedKg: 2321.46, source: GCE_CSV },
    'c2-standard': { architectures: ['Cascade Lake'], platformVcpu: 60, platformMemoryGb: 240, embodiedKg: 1510.92, source: GCE_CSV },
  },
  azure: {
    Fsv2: { architectures: ['Skylake', 'Cascade Lake'], platformVcpu: 72, platformMemoryGb: 144, embodiedKg: 1377.67, source: AZURE_CSV },
    Dsv5: { architectures: [], platformVcpu: 0, platformMemoryGb: 0, embodiedKg: null, source: AZURE_NONE },
    Esv5: { architectures: [], platformVcpu: 0, platformMemoryGb: 0, embodiedKg: null, source: AZURE_NONE },
  },
};

/** The family key of an instance type name: "m5.xlarge" -> "m5", "n1-standard-4" ->
 *  "n1-standard", "Standard_D4s_v5" -> "Dsv5"; null when the name has no family. */
export function familyOf(provider: 'aws' | 'gce' | 'azure', name: string): string | null {
  if (provider === 'aws') {
    const dot = name.indexOf('.');
    return dot > 0 ? name.slice(0, dot) : null;
  }
  if (provider === 'gce') {
    const m = /^(.+)-\d+$/.exec(name);
    return m ? m[1] : null;
  }
  const m = /^Standard_([A-Z]+)\d+([a-z]*)_(v\d+)$/.exec(name);
  return m ? `${m[1]}${m[2]}${m[3]}` : null;
}
