// The Cloud Carbon Footprint (CCF) coefficients capsim's carbon estimate uses, each cited as
// repository@commit:path. Two repositories: the CCF application (cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7, 2024-03-25), whose
// packages/core holds the method (compute, memory and embodied estimators) and whose
// packages/aws|gcp|azure/src/domain/*FootprintEstimationConstants.ts hold PUE, grid emission
// factors, the memory coefficient, the server lifespan and the fallbacks for an unknown
// microarchitecture; and ccf-coefficients (cloud-carbon-footprint/ccf-coefficients@b0032d92, 2026-04-24), the notebooks that compute the
// per-microarchitecture watts (from SPECpower) and the per-instance embodied emissions, with the
// instance -> microarchitecture and host (platform) tables they start from.
//
// Every number here can be overridden in a scenario's spec.carbon (scenario/kube/carbon.ts).

/** As in the catalog (cost/catalog.ts). */
export type CarbonProvider = 'aws' | 'gce' | 'azure';

/** Per-vCPU watts at 0 % and 100 % CPU, and the memory a physical chip carries by default (GB),
 *  for one microarchitecture. */
export interface ArchitectureCoefficients {
  minWatts: number;
  maxWatts: number;
  gbPerChip: number;
}

export interface ProviderCoefficients {
  /** Power usage effectiveness of the provider's data centres (CCF's PUE_AVG). */
  pue: number;
  /** Min/max watts per vCPU and GB per chip where the microarchitecture is unknown (CCF's
   *  MIN_WATTS_AVG / MAX_WATTS_AVG (GCP: _MEDIAN) / MEMORY_AVG). */
  unknownArchitecture: ArchitectureCoefficients;
  /** Which memory draws power: 'beyond-chip', what a host carries beyond its chips' default
   *  (AWS: AWSMemoryEstimatesBuilder.ts, Azure: ConsumptionManagement.ts, by
   *  core/src/memory/helpers.ts calculateGigabyteHours), or 'all' the instance's memory (GCP). */
  memory: 'beyond-chip' | 'all';
  /** By microarchitecture, as ccf-coefficients names them. */
  architectures: Record<string, ArchitectureCoefficients>;
  /** Grid intensity by region, metric tons CO2e per kWh, as CCF writes them. */
  emissionsTonPerKwh: Record<string, number>;
  /** Where the region is not in the table (CCF's 'Unknown': the mean of the table). */
  unknownRegionTonPerKwh: number;
  /** The region assumed when neither the pricing nor the node's zone names one. */
  defaultRegion: string;
  /** Where these numbers come from. */
  source: string;
}

/** kWh per GB-hour of memory beyond the chip's default (MEMORY_COEFFICIENT, the same in the three
 *  providers' constants). */
export const MEMORY_KWH_PER_GB_HOUR = 0.000392;
/** Hours a server is amortised over: 4 years (SERVER_EXPECTED_LIFESPAN, the same in the three). */
export const SERVER_LIFESPAN_HOURS = 35040;
/** The utilization CCF assumes where it has no measurement (AVG_CPU_UTILIZATION_2020, the same in
 *  the three providers' constants): capsim measures CPU, not GPUs, so a GPU's watts are taken at it. */
export const AVERAGE_UTILIZATION_PCT = 50;
/** One physical chip is taken to carry at most 96 vCPUs (packages/core/src/memory/helpers.ts getPhysicalChips). */
export const VCPUS_PER_CHIP = 96;
/** Microarchitectures whose min/max watts are outliers: a mix including them takes the median, not
 *  the mean (packages/core/src/FootprintEstimate.ts getWattsByAverageOrMedian). */
export const MEDIAN_ARCHITECTURES: readonly string[] = ['Sandy Bridge', 'Ivy Bridge'];

export const CCF_SOURCES = {
  method: 'cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7:packages/core/src/{compute/ComputeEstimator.ts,memory/MemoryEstimator.ts,memory/helpers.ts,embodiedEmissions/EmbodiedEmissionsEstimator.ts,FootprintEstimate.ts}',
  aws: 'cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7:packages/aws/src/domain/AwsFootprintEstimationConstants.ts; watts: cloud-carbon-footprint/ccf-coefficients@b0032d92:output/coefficients-aws-use.csv',
  gce: 'cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7:packages/gcp/src/domain/GcpFootprintEstimationConstants.ts (grid factors without Google CFE%); watts: cloud-carbon-footprint/ccf-coefficients@b0032d92:output/coefficients-gcp-use.csv',
  azure: 'cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7:packages/azure/src/domain/AzureFootprintEstimationConstants.ts; watts: cloud-carbon-footprint/ccf-coefficients@b0032d92:output/coefficients-azure-use.csv',
  instances: 'cloud-carbon-footprint/ccf-coefficients@b0032d92:data/aws-instances.csv, data/aws-instances-latest-2026.csv, data/gcp-instances.csv, data/azure-instances.csv; embodied: output/coefficients-{aws,gcp,azure}-embodied*.csv',
} as const;

// cloud-carbon-footprint/ccf-coefficients@b0032d92:output/coefficients-aws-use.csv (Min Watts, Max Watts, GB/Chip).
const AWS_ARCHITECTURES: Record<string, ArchitectureCoefficients> = {
  'Broadwell': { minWatts: 0.7128342245989305, maxWatts: 3.685327540106952, gbPerChip: 69.6470588235294 },
  'Cascade Lake': { minWatts: 0.6902978319127387, maxWatts: 4.063193520161689, gbPerChip: 105.972049689441 },
  'Coffee Lake': { minWatts: 1.138425925925926, maxWatts: 5.421759259259259, gbPerChip: 19.555555555555557 },
  'EPYC 1st Gen': { minWatts: 0.8467881944444444, maxWatts: 2.6041666666666665, gbPerChip: 92.44444444444444 },
  'EPYC 2nd Gen': { minWatts: 0.4742621527777777, maxWatts: 1.6929615162037035, gbPerChip: 129.77777777777777 },
  'EPYC 3rd Gen': { minWatts: 0.45562453497023814, maxWatts: 1.957333519345238, gbPerChip: 137.14285714285714 },
  'EPYC 4th Gen': { minWatts: 0.7391482469512195, maxWatts: 2.282155106707317, gbPerChip: 152.1951219512195 },
  'Emerald Rapids': { minWatts: 0.8140104166666666, maxWatts: 4.48203125, gbPerChip: 160.0 },
  'Granite Rapids': { minWatts: 0.5815883902616279, maxWatts: 2.5274707237711422, gbPerChip: 221.13636363636363 },
  'Graviton2': { minWatts: 0.4742621527777777, maxWatts: 1.6929615162037035, gbPerChip: 129.77777777777777 },
  'Graviton3': { minWatts: 0.4742621527777777, maxWatts: 1.6929615162037035, gbPerChip: 129.77777777777777 },
  'Haswell': { minWatts: 1.8573529411764707, maxWatts: 5.595383986928105, gbPerChip: 31.058823529411764 },
  'Ice Lake': { minWatts: 0.766796875, maxWatts: 3.7582031249999996, gbPerChip: 136.0 },
  'Ivy Bridge': { minWatts: 1.7074305555555556, maxWatts: 5.5569444444444445, gbPerChip: 13.333333333333334 },
  'Sandy Bridge': { minWatts: 2.212243200231481, maxWatts: 8.630870594765684, gbPerChip: 17.071428571428573 },
  'Sapphire Rapids': { minWatts: 1.0362861003136936, maxWatts: 4.160476336606656, gbPerChip: 130.79521276595744 },
  'Skylake': { minWatts: 0.6129888539040325, maxWatts: 4.104170352960531, gbPerChip: 75.09995781995782 },
};

// cloud-carbon-footprint/ccf-coefficients@b0032d92:output/coefficients-gcp-use.csv. Haswell, Ivy Bridge and Sandy Bridge (N1 hosts in
// data/gcp-instances.csv) are not in it; the notebook's AWS/SPECpower figures for them are used,
// as ccf-coefficients' aws table lists them from the same SPECpower averages.
const GCE_ARCHITECTURES: Record<string, ArchitectureCoefficients> = {
  'Broadwell': { minWatts: 0.7128342245989305, maxWatts: 3.3857473048128344, gbPerChip: 69.6470588235294 },
  'Cascade Lake': { minWatts: 0.6902978319127387, maxWatts: 3.754854273784877, gbPerChip: 105.972049689441 },
  'EPYC 2nd Gen': { minWatts: 0.4742621527777777, maxWatts: 1.575187293981481, gbPerChip: 129.77777777777777 },
  'EPYC 3rd Gen': { minWatts: 0.45562453497023814, maxWatts: 1.8336855193452382, gbPerChip: 137.14285714285714 },
  'EPYC 4th Gen': { minWatts: 0.7391482469512195, maxWatts: 2.1958768628048784, gbPerChip: 152.1951219512195 },
  'Emerald Rapids': { minWatts: 0.8140104166666666, maxWatts: 4.3816792499999995, gbPerChip: 160.0 },
  'Ice Lake': { minWatts: 0.766796875, maxWatts: 3.6515791249999996, gbPerChip: 136.0 },
  'Sapphire Rapids': { minWatts: 1.0362861003136936, maxWatts: 4.06210101745772, gbPerChip: 130.79521276595744 },
  'Skylake': { minWatts: 0.6129888539040325, maxWatts: 3.8679459262938636, gbPerChip: 75.09995781995782 },
  'Haswell': AWS_ARCHITECTURES['Haswell'],
  'Ivy Bridge': AWS_ARCHITECTURES['Ivy Bridge'],
  'Sandy Bridge': AWS_ARCHITECTURES['Sandy Bridge'],
};

// cloud-carbon-footprint/ccf-coefficients@b0032d92:output/coefficients-azure-use.csv.
const AZURE_ARCHITECTURES: Record<string, ArchitectureCoefficients> = {
  'EPYC 3rd Gen': { minWatts: 0.44538981119791665, maxWatts: 2.0193277994791665, gbPerChip: 128.0 },
  'Haswell': { minWatts: 1.9005681818181814, maxWatts: 6.012910353535353, gbPerChip: 27.310344827586206 },
  'Cascade Lake': { minWatts: 0.6389493581523519, maxWatts: 3.9673047343937564, gbPerChip: 98.11764705882354 },
  'Skylake': { minWatts: 0.6446044454253452, maxWatts: 4.193436438541878, gbPerChip: 80.43037974683544 },
  'Broadwell': { minWatts: 0.7128342245989304, maxWatts: 3.6853275401069516, gbPerChip: 69.6470588235294 },
  'EPYC 2nd Gen': { minWatts: 0.4742621527777778, maxWatts: 1.6929615162037037, gbPerChip: 129.77777777777777 },
  'Coffee Lake': { minWatts: 1.138425925925926, maxWatts: 5.421759259259258, gbPerChip: 19.555555555555557 },
  'EPYC 1st Gen': { minWatts: 0.82265625, maxWatts: 2.553125, gbPerChip: 89.6 },
};

// Grid emission factors, metric tons CO2e/kWh: the *_EMISSIONS_FACTORS_METRIC_TON_PER_KWH tables
// of cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7 (US regions: US_NERC_REGIONS_EMISSIONS_FACTORS of packages/core/src/
// FootprintEstimationConstants.ts, resolved; Azure names lower-cased as CCF matches them).
const EMISSIONS: Record<CarbonProvider, Record<string, number>> = {
  aws: {
    'af-south-1': 0.0009006,
    'ap-east-1': 0.00071,
    'ap-northeast-1': 0.0004658,
    'ap-northeast-2': 0.0004156,
    'ap-northeast-3': 0.0004658,
    'ap-south-1': 0.0007082,
    'ap-southeast-1': 0.000408,
    'ap-southeast-2': 0.00076,
    'ap-southeast-3': 0.0007177,
    'ca-central-1': 0.00012,
    'cn-north-1': 0.0005374,
    'cn-northwest-1': 0.0005374,
    'eu-central-1': 0.000311,
    'eu-north-1': 8.8e-06,
    'eu-south-1': 0.0002134,
    'eu-west-1': 0.0002786,
    'eu-west-2': 0.000225,
    'eu-west-3': 5.11e-05,
    'me-central-1': 0.0004041,
    'me-south-1': 0.0005059,
    'sa-east-1': 6.17e-05,
    'us-east-1': 0.000379069,
    'us-east-2': 0.000410608,
    'us-gov-east-1': 0.000379069,
    'us-gov-west-1': 0.000322167,
    'us-west-1': 0.000322167,
    'us-west-2': 0.000322167,
  },
  gce: {
    'asia-east1': 0.000456,
    'asia-east2': 0.00036,
    'asia-northeast1': 0.000464,
    'asia-northeast2': 0.000384,
    'asia-northeast3': 0.000425,
    'asia-south1': 0.00067,
    'asia-south2': 0.000671,
    'asia-southeast1': 0.000372,
    'asia-southeast2': 0.00058,
    'australia-southeast1': 0.000598,
    'australia-southeast2': 0.000521,
    'europe-central2': 0.000576,
    'europe-north1': 0.000127,
    'europe-southwest1': 0.000121,
    'europe-west1': 0.00011,
    'europe-west2': 0.000172,
    'europe-west3': 0.000269,
    'europe-west4': 0.000283,
    'europe-west6': 8.6e-05,
    'europe-west8': 0.000298,
    'europe-west9': 5.9e-05,
    'northamerica-northeast1': 2.8e-05,
    'northamerica-northeast2': 2.9e-05,
    'southamerica-east1': 0.000129,
    'southamerica-west1': 0.00019,
    'us-central1': 0.000456,
    'us-central2': 0.000456,
    'us-east1': 0.000434,
    'us-east4': 0.000309,
    'us-east5': 0.000309,
    'us-south1': 0.000296,
    'us-west1': 6e-05,
    'us-west2': 0.00019,
    'us-west3': 0.000448,
    'us-west4': 0.000365,
  },
  azure: {
    'centralus': 0.000426254,
    'eastus': 0.000379069,
    'eastus2': 0.000379069,
    'eastus3': 0.000379069,
    'northcentralus': 0.000410608,
    'southcentralus': 0.000373231,
    'usnorth': 0.000410608,
    'westcentralus': 0.000322167,
    'westus': 0.000322167,
    'apeast': 0.00071,
    'apsoutheast': 0.000408,
    'asia': 0.0005647,
    'asiapacific': 0.0005647,
    'australia': 0.00079,
    'australiacentral': 0.00079,
    'australiacentral2': 0.00079,
    'australiaeast': 0.00079,
    'australiasoutheast': 0.00096,
    'brazil': 6.17e-05,
    'brazilsouth': 6.17e-05,
    'brazilsoutheast': 6.17e-05,
    'canada': 0.00012,
    'canadacentral': 0.00012,
    'canadaeast': 0.00012,
    'centralindia': 0.0007082,
    'centraluseuap': 0.000426254,
    'centralusstage': 0.000426254,
    'eastasia': 0.00071,
    'eastasiastage': 0.00071,
    'eastus2euap': 0.000379069,
    'eastus2stage': 0.000379069,
    'eastusstage': 0.000379069,
    'france': 5.128e-05,
    'francecentral': 5.128e-05,
    'francesouth': 5.128e-05,
    'germany': 0.00033866,
    'germanynorth': 0.00033866,
    'germanywestcentral': 0.00033866,
    'india': 0.0007082,
    'japan': 0.0004658,
    'japaneast': 0.0004658,
    'japanwest': 0.0004658,
    'jioindiacentral': 0.0007082,
    'jioindiawest': 0.0007082,
    'korea': 0.0004156,
    'koreacentral': 0.0004156,
    'koreasouth': 0.0004156,
    'northcentralusstage': 0.000410608,
    'northeurope': 0.0002786,
    'norway': 7.62e-06,
    'norwayeast': 7.62e-06,
    'norwaywest': 7.62e-06,
    'southafrica': 0.0009006,
    'southafricanorth': 0.0009006,
    'southafricawest': 0.0009006,
    'southcentralusstage': 0.000373231,
    'southeastasia': 0.000408,
    'southeastasiastage': 0.000408,
    'southindia': 0.0007082,
    'swedencentral': 5.67e-06,
    'switzerland': 1.152e-05,
    'switzerlandnorth': 1.152e-05,
    'switzerlandwest': 1.152e-05,
    'uae': 0.0004041,
    'uaecentral': 0.0004041,
    'uaenorth': 0.0004041,
    'uk': 0.000225,
    'uksouth': 0.000225,
    'ukwest': 0.000225,
    'unitedstates': 0.000426254,
    'unitedstateseuap': 0.000426254,
    'westeurope': 0.0003284,
    'westindia': 0.0007082,
    'westus2': 0.000322167,
    'westus2stage': 0.000322167,
    'westus3': 0.000322167,
    'westusstage': 0.000322167,
  },
};

export const PROVIDERS: Record<CarbonProvider, ProviderCoefficients> = {
  aws: {
    pue: 1.135,
    unknownArchitecture: { minWatts: 0.74, maxWatts: 3.5, gbPerChip: 80.69 },
    memory: 'beyond-chip',
    architectures: AWS_ARCHITECTURES,
    emissionsTonPerKwh: EMISSIONS.aws,
    unknownRegionTonPerKwh: 0.00039278188,
    defaultRegion: 'us-east-1',
    source: CCF_SOURCES.aws,
  },
  gce: {
    // PUE_AVG 1.1 (PUE_TRAILING_TWELVE_MONTH by region below overrides it where listed).
    pue: 1.1,
    // MIN_WATTS_MEDIAN / MAX_WATTS_MEDIAN; gbPerChip unused: GCP bills memory as its own usage
    // (BillingExportTable.ts getMemoryFootprintEstimate), so all of it counts.
    unknownArchitecture: { minWatts: 0.68, maxWatts: 4.11, gbPerChip: 0 },
    memory: 'all',
    architectures: GCE_ARCHITECTURES,
    emissionsTonPerKwh: EMISSIONS.gce,
    unknownRegionTonPerKwh: 0.0003171470588,
    defaultRegion: 'us-central1',
    source: CCF_SOURCES.gce,
  },
  azure: {
    pue: 1.185,
    unknownArchitecture: { minWatts: 0.74, maxWatts: 3.54, gbPerChip: 80.47 },
    memory: 'beyond-chip',
    architectures: AZURE_ARCHITECTURES,
    emissionsTonPerKwh: EMISSIONS.azure,
    unknownRegionTonPerKwh: 0.0003512799615,
    defaultRegion: 'eastus',
    source: CCF_SOURCES.azure,
  },
};

/** GCP's trailing-twelve-month PUE by region (GCP_CLOUD_CONSTANTS.PUE_TRAILING_TWELVE_MONTH). */
export const GCE_REGION_PUE: Record<string, number> = {
  'us-east4': 1.08, 'us-central1': 1.11, 'us-central2': 1.11, 'europe-west1': 1.09, 'europe-west4': 1.07,
  'europe-north1': 1.09, 'asia-east1': 1.12, 'asia-southeast1': 1.13,
};
