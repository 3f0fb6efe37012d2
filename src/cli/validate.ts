// capsim validate: check a scenario and everything it references, print every problem.
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { durationAsWritten } from '../duration.ts';
import { InputError } from '../scenario/errors.ts';
import { EXIT_OK, reportError } from './exit.ts';
import { allowLargeOption, placementOption, scenarioOptions } from './options.ts';
import type { Placement } from '../model/scenario.ts';

interface ValidateArgs {
  scenario: string;
  set?: string[];
  seed?: number;
  allowLarge?: boolean;
  placement?: Placement;
}

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate <scenario>',
  describe: "Check a scenario without running it and estimate the run's size; exit 0, or print every problem (a run over the limits too) and exit 2",
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file' })
      .options({ ...scenarioOptions, ...placementOption, ...allowLargeOption })
      .example('$0 validate scenarios/quickstart.yaml', '') as never,
  handler: async (args: ArgumentsCamelCase<ValidateArgs>) => {
    try {
      // Imported here, not above: the other commands start without the loader.
      const [{ loadScenario }, { estimateRunSize, focusLeftOut }, { excesses, limitProblems, sizeLine }] = await Promise.all([
        import('../scenario/load.ts'),
        import('../size/runSize.ts'),
        import('../size/limits.ts'),
      ]);
      const s = await loadScenario(args.scenario, { set: args.set, seed: args.seed, placement: args.placement, allowLarge: args.allowLarge });
      // The size of `capsim run` with its default formats; what it would refuse, validate refuses
      // too (the estimate printed first), and with --allow-large it says which limits are passed.
      const size = estimateRunSize(s);
      const over = excesses(size);
      if (over.length > 0 && !args.allowLarge) {
        process.stdout.write(`${sizeLine(size)}\n`);
        throw new InputError(limitProblems(s.file, over));
      }
      const kinds = new Map<string, number>();
      for (const o of s.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
      const objects = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'no objects';
      const tracePods = (s.traces ?? []).reduce((n, t) => n + t.rows, 0);
      const traces = s.traces ? `, ${tracePods.toLocaleString('en-US')} pod(s) from ${s.traces.length} trace(s)` : '';
      process.stdout.write(
        `ok: ${s.name}: ${durationAsWritten(s.durationMs, (s.resolved.spec as Record<string, unknown> | undefined)?.duration, { spaced: true })}, ${s.cluster.nodePools.length} node pool(s), ${objects}, ${s.events.length} scripted event(s)${traces}\n`,
      );
      process.stdout.write(`${sizeLine(size)}\n`);
      for (const e of over) process.stdout.write(`note: past a limit, run only with --allow-large: ${e.message}\n`);
      const focus = focusLeftOut(s);
      if (focus) process.stdout.write(`note: ${focus}\n`);
      for (const notice of s.notices) process.stdout.write(`note: ${notice}\n`);
      const { pricingLines } = await import('../scenario/pricing.ts');
      for (const line of pricingLines(s)) process.stdout.write(`${line}\n`);
      if (s.karpenter && s.karpenter.nodePools.length > 0) {
        // Each NodePool's menu (its requirements, NodeClass and limits), for checking.
        const { karpenterMenuLines } = await import('../karpenter/menuText.ts');
        for (const line of karpenterMenuLines(s.karpenter)) process.stdout.write(`${line}\n`);
        // With NodePools as the only capacity: the NodeClaims Karpenter would launch at t = 0.
        const { karpenterDryRunLines } = await import('./karpenterDryRun.ts');
        for (const line of karpenterDryRunLines(s)) process.stdout.write(`${line}\n`);
      }
      const { simulationNotices } = await import('../scenario/notices.ts');
      for (const notice of simulationNotices(s)) process.stdout.write(`note: ${notice}\n`);
      const { preflightWarnings } = await import('../preflight.ts');
      for (const w of preflightWarnings(s)) process.stdout.write(`warning: ${w.title}: ${w.message}\n`);
      process.exitCode = EXIT_OK;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  },
};
