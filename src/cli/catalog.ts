// capsim catalog: the built-in instance types and their prices.
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { listInstanceTypes } from '../cost/catalog.ts';

interface CatalogArgs {
  provider?: string;
  filter?: string;
}

export const catalogCommand: CommandModule<object, CatalogArgs> = {
  command: 'catalog',
  describe: 'List built-in instance types with capacity and hourly prices',
  builder: (y) =>
    y
      .options({
        provider: { type: 'string', choices: ['aws', 'gcp', 'gce', 'azure'], describe: 'Only this provider' },
        filter: { type: 'string', describe: 'Only types whose id contains this text' },
      })
      .example('$0 catalog --provider aws --filter m5', '') as never,
  handler: (args: ArgumentsCamelCase<CatalogArgs>) => {
    const provider = args.provider === 'gcp' ? 'gce' : args.provider;
    const rows = listInstanceTypes().filter(
      (t) => (!provider || t.provider === provider) && (!args.filter || t.id.toLowerCase().includes(args.filter.toLowerCase())),
    );
    const table = [['id', 'vcpu', 'memory', 'max pods', 'gpu', 'arch', 'on-demand $/h', 'spot $/h', 'price date']];
    for (const t of rows) {
      table.push([t.id, String(t.vcpu), `${(t.memoryMiB / 1024).toFixed(t.memoryMiB % 1024 ? 1 : 0)}Gi`, String(t.maxPods), String(t.gpu), t.arch, String(t.onDemandUsdPerHour), t.spotUsdPerHour === null ? '-' : String(t.spotUsdPerHour), t.priceDate]);
    }
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const row of table) process.stdout.write(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
    process.stdout.write(`\n${rows.length} type(s). Sources: each type's price_source in src/cost/catalog.ts.\n`);
  },
};
