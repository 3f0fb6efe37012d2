// spec.carbon: overrides of the Cloud Carbon Footprint coefficients the carbon estimate uses
// (src/carbon/; docs/scenario.md "Carbon"). Every field is optional; absent, CCF's own number.
import { z } from 'zod';
import { number } from './fields.ts';

const positive = number.min(0);

export const carbonSchema = z
  .strictObject({
    region: z.string().min(1).optional().describe('Grid region of nodes whose region nothing else names (no pricing region, no zone such as us-east-1a); default: aws us-east-1, gce us-central1, azure eastus, with a carbon-approximate warning'),
    gridIntensityGPerKwh: z.record(z.string().min(1), positive).optional().describe('Grid intensity by region, g CO2e per kWh, replacing Cloud Carbon Footprint\'s factor for that region (e.g. {us-east-1: 379.069})'),
    pue: number.min(1).max(5).optional().describe('Power usage effectiveness of every node (CCF: aws 1.135, gce 1.1 or its regional figure, azure 1.185)'),
    wattsPerVcpu: z
      .strictObject({ min: positive.describe('Watts per vCPU at 0 % CPU'), max: positive.describe('Watts per vCPU at 100 % CPU') })
      .check((ctx) => {
        if (ctx.value.max < ctx.value.min) ctx.issues.push({ code: 'custom', message: `max (${ctx.value.max}) is below min (${ctx.value.min})`, input: ctx.value, path: ['max'], continue: true });
      })
      .optional()
      .describe('Watts per vCPU at 0 % and 100 % CPU for every node, replacing the microarchitecture\'s (CCF interpolates by CPU utilization)'),
    memoryKwhPerGbHour: positive.optional().describe('kWh per GB-hour of memory (CCF: 0.000392)'),
    serverLifespanHours: number.min(1).optional().describe('Hours a host\'s manufacturing emissions are spread over (CCF: 35040, 4 years)'),
    embodiedKgCo2ePerHost: z.record(z.string().min(1), positive).optional().describe('A host\'s manufacturing emissions, kg CO2e, by instance type (aws/m5.xlarge) or family (aws/m5); the instance is charged its vCPU share of the host'),
  })
  .describe('Overrides of the Cloud Carbon Footprint coefficients the carbon estimate uses (docs/scenario.md "Carbon")');
