// Options shared by the commands that read a scenario.
import type { Options } from 'yargs';

export const scenarioOptions = {
  set: {
    type: 'string',
    array: true,
    describe: 'Override a scenario field: --set spec.cluster.nodePools[0].count=5 (repeatable)',
  },
  seed: { type: 'number', describe: 'Override spec.seed' },
} satisfies Record<string, Options>;
