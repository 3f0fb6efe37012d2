// spec.carbon: overrides of the Cloud Carbon Footprint coefficients (src/carbon/), each optional;
// absent, CCF's own numbers are used.
export interface CarbonSettings {
  /** The grid region of nodes whose own region is unknown (no pricing region, no zone naming one). */
  region?: string;
  /** Grid intensity by region, g CO2e per kWh (replaces CCF's factor for that region). */
  gridIntensityGPerKwh?: Record<string, number>;
  /** Power usage effectiveness for every node. */
  pue?: number;
  /** Watts per vCPU at 0 % and 100 % CPU for every node (replaces the microarchitecture's). */
  wattsPerVcpu?: { min: number; max: number };
  /** kWh per GB-hour of memory. */
  memoryKwhPerGbHour?: number;
  /** Hours a host's manufacturing emissions are spread over. */
  serverLifespanHours?: number;
  /** A host's manufacturing emissions, kg CO2e, by instance type ("aws/m5.xlarge") or family ("aws/m5"). */
  embodiedKgCo2ePerHost?: Record<string, number>;
}
