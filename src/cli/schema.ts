// capsim schema: prints the scenario JSON Schema (npm run schema writes schema/scenario.schema.json).
import type { CommandModule } from 'yargs';

export const schemaCommand: CommandModule = {
  command: 'schema',
  describe: false,
  builder: (y) => y.example('$0 schema > scenario.schema.json', 'The JSON Schema of a scenario, for an editor (yaml-language-server)'),
  handler: async () => {
    const { scenarioJsonSchema } = await import('../scenario/jsonSchema.ts');
    process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  },
};
