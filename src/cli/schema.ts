// capsim schema: prints the scenario JSON Schema (npm run schema writes schema/scenario.schema.json).
import type { CommandModule } from 'yargs';

export const schemaCommand: CommandModule = {
  command: 'schema',
  describe: false,
  handler: async () => {
    const { scenarioJsonSchema } = await import('../scenario/jsonSchema.ts');
    process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  },
};
