// capsim catalog: the built-in instance types, their prices, and what a pod can have of each
// under its provider's reserved-resources formula.
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import type { InstanceType, RegionalPrice } from '../cost/catalog.ts';
import { InputError } from '../scenario/errors.ts';
import { reportError } from './exit.ts';
import { OUTPUTS as COMMON_OUTPUTS, outputOption, printOutput } from './output.ts';
import type { TerminalTable } from '../outputs/terminalTable.ts';
import { usdPerHour } from '../outputs/money.ts';
import { allocatableUnder, OFFERING } from '../cloud/reservedResources.ts';

const MiB = 1024 * 1024;
/** -o: the outputs of every command, and csv. */
const OUTPUTS = [...COMMON_OUTPUTS, 'csv'] as const;

interface CatalogArgs {
  provider?: string;
  region?: string;
  filter?: string;
  output: (typeof OUTPUTS)[number];
  /** Before issue 21 catalog's -o was --format: now a usage error that says so. */
  format?: string;
}

/** One type as every format prints it. */
interface CatalogEntry {
  id: string;
  provider: string;
  region: string;
  vcpu: number;
  memoryMiB: number;
  maxPods: number;
  gpu: number;
  arch: string;
  onDemandUsdPerHour: number;
  spotUsdPerHour: number | null;
  /** Under the provider's formula (EKS, GKE, AKS): capacity - kube-reserved - evictionHard. */
  allocatableCpuMilli: number;
  allocatableMemoryMiB: number;
  reservedBy: string;
  priceDate: string;
  source: string;
}

/** `price` (--region): the type's on-demand price in that region, which has no spot price. */
function entryOf(t: InstanceType, price?: RegionalPrice): CatalogEntry {
  const allocatable = allocatableUnder(t.provider, { cpuMilli: t.vcpu * 1000, memoryBytes: t.memoryMiB * MiB, maxPods: t.maxPods });
  const other = price !== undefined && price.region !== t.region;
  return {
    id: t.id, provider: t.provider, region: price?.region ?? t.region, vcpu: t.vcpu, memoryMiB: t.memoryMiB, maxPods: t.maxPods, gpu: t.gpu, arch: t.arch,
    onDemandUsdPerHour: price?.usdPerHour ?? t.onDemandUsdPerHour, spotUsdPerHour: other ? null : t.spotUsdPerHour,
    allocatableCpuMilli: allocatable.cpuMilli, allocatableMemoryMiB: Math.floor(allocatable.memoryBytes / MiB), reservedBy: OFFERING[t.provider],
    priceDate: price?.priceDate ?? t.priceDate, source: other ? `${price.source}; specs: ${t.source}` : t.source,
  };
}

function gib(mib: number): string {
  return `${(mib / 1024).toFixed(mib % 1024 ? 1 : 0)}Gi`;
}

const RIGHT = 'right' as const;

/** The catalog for people: one row per type, numbers right-aligned, prices as $0.192/h. */
export function catalogTable(entries: CatalogEntry[]): TerminalTable {
  return {
    columns: [
      { header: 'id' }, { header: 'vcpu', align: RIGHT }, { header: 'memory', align: RIGHT }, { header: 'max pods', align: RIGHT }, { header: 'gpu', align: RIGHT }, { header: 'arch' },
      { header: 'on-demand', align: RIGHT }, { header: 'spot', align: RIGHT }, { header: 'alloc cpu', align: RIGHT }, { header: 'alloc memory', align: RIGHT }, { header: 'price date' },
    ],
    cells: entries.map((e) => [
      e.id, String(e.vcpu), gib(e.memoryMiB), String(e.maxPods), String(e.gpu), e.arch, usdPerHour(e.onDemandUsdPerHour), e.spotUsdPerHour === null ? '-' : usdPerHour(e.spotUsdPerHour),
      `${e.allocatableCpuMilli}m`, `${e.allocatableMemoryMiB}Mi`, e.priceDate,
    ]),
    notes: [
      '',
      `${entries.length} type(s). alloc = capacity - kube-reserved - evictionHard by the provider's formula`,
      "(EKS, GKE, AKS 1.29+; src/cloud/reservedResources.ts cites each). Spot: GCE's is the legacy",
      "preemptible price; AWS and Azure publish none. Prices and specs: ../shared/data/prices/README.md;",
      "each type's citation: -o json (source).",
    ],
  };
}

const CSV_COLUMNS: (keyof CatalogEntry)[] = ['id', 'provider', 'region', 'vcpu', 'memoryMiB', 'maxPods', 'gpu', 'arch', 'onDemandUsdPerHour', 'spotUsdPerHour', 'allocatableCpuMilli', 'allocatableMemoryMiB', 'reservedBy', 'priceDate', 'source'];

/** The catalog is built-in data, but its CSV goes through the same writer as every other (loaded
 *  when asked for: fast-csv is not needed by the other formats). */
async function csv(entries: CatalogEntry[]): Promise<string> {
  const { csvText } = await import('../outputs/csvCells.ts');
  return csvText([CSV_COLUMNS, ...entries.map((e) => CSV_COLUMNS.map((c) => e[c] ?? ''))]);
}

export const catalogCommand: CommandModule<object, CatalogArgs> = {
  command: 'catalog',
  describe: 'List built-in instance types with capacity, allocatable and hourly prices',
  builder: (y) =>
    y
      .options({
        provider: { type: 'string', choices: ['aws', 'gcp', 'gce', 'azure'], describe: 'Only this provider' },
        region: { type: 'string', describe: 'Prices in this region (AWS us-east-1, us-gov-east-1, us-gov-west-1; Azure eastus, eastus2, westus2, westeurope, northeurope): only the types with a public price there' },
        filter: { type: 'string', describe: 'Only types whose id contains this text' },
        output: { ...outputOption.output, choices: OUTPUTS, describe: 'What is printed: table (for people), json, yaml or csv (for programs)' },
        format: { type: 'string', hidden: true },
      })
      .example('$0 catalog --provider aws --filter m5', 'The m5 family on AWS, with allocatable and prices')
      .example('$0 catalog --provider gcp -o csv > gcp.csv', 'Every GCE type as CSV')
      .example("$0 catalog --filter m5.xlarge -o json | jq '.[0].source'", "A type's data and the source of its price")
      .example('$0 catalog --region westeurope', "Azure's prices in West Europe") as never,
  handler: async (args: ArgumentsCamelCase<CatalogArgs>) => {
    if (args.format !== undefined) {
      process.exitCode = reportError(new InputError([{ file: '--format', line: 0, column: 0, path: '', message: 'names the report files of run, compare and sweep; catalog writes none', hint: `print the catalog with -o ${OUTPUTS.join('|')} (e.g. -o ${OUTPUTS.includes(args.format as never) ? args.format : 'json'})` }]));
      return;
    }
    // The 227 types' data is imported when this command runs, not by every command.
    const { listInstanceTypes, onDemandPriceIn, priceRegions, providerOf } = await import('../cost/catalog.ts');
    const provider = args.provider === undefined ? undefined : providerOf(args.provider);
    const filter = args.filter?.toLowerCase();
    const region = args.region;
    if (region !== undefined) {
      const known = (['aws', 'azure', 'gce'] as const).flatMap((p) => priceRegions(p).map((r) => `${r} (${p})`));
      if (!known.some((k) => k.startsWith(`${region} (`))) {
        process.exitCode = reportError(new InputError([{ file: '--region', line: 0, column: 0, path: '', message: `no prices for region "${region}"`, hint: `regions with public prices: ${known.join(', ')}; GCE's names no region. Another region's prices: spec.pricing.priceFile (docs/scenario.md "Pricing")` }]));
        return;
      }
    }
    const entries = listInstanceTypes()
      .filter((t) => (!provider || t.provider === provider) && (!filter || t.id.toLowerCase().includes(filter)))
      .flatMap((t) => {
        if (region === undefined) return [entryOf(t)];
        const price = onDemandPriceIn(t, region);
        return price && price.region === region ? [entryOf(t, price)] : [];
      });
    if (args.output === 'csv') process.stdout.write(await csv(entries));
    else await printOutput(args.output, () => [catalogTable(entries)], () => entries);
  },
};
