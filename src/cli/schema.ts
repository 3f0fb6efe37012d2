// capsim schema: prints the scenario JSON Schema (npm run schema writes schema/scenario.schema.json).
import type { CommandModule } from 'yargs';
import { scenarioJsonSchema } from '../scenario/jsonSchema.ts';

export const schemaCommand: CommandModule = {
  command: 'schema',
  describe: false,
  handler: () => {
    process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  },
};
