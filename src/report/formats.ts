// The report files a run or `capsim report` can write (DESIGN §1: --format html,svg,png). Kept
// apart from report.ts so that commands which only parse the flag do not load vega.
export const REPORT_FORMATS = ['html', 'svg', 'png'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const DEFAULT_FORMATS: readonly ReportFormat[] = ['html', 'svg'];
