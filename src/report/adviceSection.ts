// The report's Advice and Cost per workload sections, and the copy-paste `resources:` blocks of
// its Rightsizing section, drawn from summary.json `advice` (src/advice/). A run directory
// written before capsim gave advice has none: the sections are left out.
import type { AdviceSummary, ResourcesAdvice } from '../outputs/summary.ts';
import { displayObject, escapeHtml, table } from './html.ts';
import { topWorkloads, usedShare } from '../advice/adviceTables.ts';
import { count, cpu, duration, memory, percent, usd } from './units.ts';

/** Workloads shown in Cost per workload; the rest are summed in one row. */
export const COST_ROWS = 25;
/** Resources blocks shown; resources in summary.json has them all. */
const BLOCKS = 50;

export function adviceSection(advice: AdviceSummary): string {
  const head = `<h2 id="advice">Advice</h2>`;
  const f = advice.fleet;
  const fleet = `<p><strong>Fleet</strong>: ${escapeHtml(f.summary)}</p>` +
    (f.proposal.length > 0
      ? `<p class="muted">${escapeHtml(`Sized on the pods of the peak of requests${f.peakSeconds === null ? '' : ` (at +${duration(f.peakSeconds)}: ${count(f.peakPods)} pods on ${count(f.peakNodes)} nodes)`}, first-fit-decreasing by requests over the catalog. It ignores ${f.ignores.join('; ')}.`)}</p>`
      : '');
  const kept = f.kept.length > 0 ? `<p class="muted">${escapeHtml(`Left as they are: ${f.kept.map((k) => `${k.pool} (${k.reason}; ${usd(k.monthlyUsd)} a month)`).join(', ')}.`)}</p>` : '';
  if (advice.items.length === 0) return `${head}\n<p>Nothing to act on: no HPA pinned at a bound, no throttling or OOM kills, every pod placed.</p>\n${fleet}${kept}`;
  return `${head}
<style>td.sev-high { color: var(--bad); font-weight: bold } td.sev-medium { color: #9a6700; font-weight: bold } td.sev-low { color: var(--muted) }</style>
<p class="muted">${escapeHtml(`${advice.items.length} thing${advice.items.length === 1 ? '' : 's'} to act on, most severe first (docs/outputs.md "Advice" has the thresholds).`)}</p>
${table(advice.items, [
  { header: 'Severity', cell: (a) => a.severity, cellClass: (a) => `sev-${a.severity}` },
  { header: 'What', cell: (a) => a.what },
  { header: 'Objects', cell: (a) => displayObject(a.objects.join(', ')) },
  { header: 'How much', cell: (a) => a.figure, numeric: true },
  { header: 'What to do', cell: (a) => displayObject(a.action) },
], 'advice')}
${fleet}${kept}`;
}

export function workloadCostSection(advice: AdviceSummary, allocatedUsd: number): string {
  const head = `<h2 id="workload-cost">Cost per workload</h2>`;
  if (advice.workloads.length === 0) return `${head}<p class="muted">No workload was charged.</p>`;
  const rows = topWorkloads(advice.workloads, COST_ROWS);
  return `${head}
<p class="muted">${escapeHtml(`The ${usd(allocatedUsd)} charged to workloads (max of requests and usage, per node-hour, as OpenCost), most expensive first; requests and usage are means over the run of all their pods. Click a header to sort.`)}</p>
${table(rows, [
  { header: 'Workload', cell: (w) => w.workload },
  { header: 'Cost', cell: (w) => usd(w.costUsd), numeric: true },
  { header: 'Share', cell: (w) => percent(w.sharePct), numeric: true },
  { header: 'CPU requested', cell: (w) => cpu(w.cpuRequestedMilli), numeric: true },
  { header: 'CPU used', cell: (w) => `${cpu(w.cpuUsedMilli)}${usedShare(w.cpuUsedMilli, w.cpuRequestedMilli)}`, numeric: true },
  { header: 'Memory requested', cell: (w) => memory(w.memoryRequestedBytes), numeric: true },
  { header: 'Memory used', cell: (w) => `${memory(w.memoryUsedBytes)}${usedShare(w.memoryUsedBytes, w.memoryRequestedBytes)}`, numeric: true },
], 'workload-cost')}`;
}

/** "history 1h 12m: too short for the upper bound" for a container the recommender saw for less than a day. */
export function historyNote(r: ResourcesAdvice): string {
  const seconds = r.historyDays * 86400;
  // To the minute past an hour: "23h 58m", not "23h 57m 59s" (the recommender's samples are a minute apart).
  return `history ${seconds > 0 ? duration(seconds >= 3600 ? Math.round(seconds / 60) * 60 : seconds) : 'none'}: too short to trust the upper bound`;
}

/** The `resources:` blocks, a copy button each (works offline: the clipboard API, or a selection copied). */
export function resourcesBlocks(list: readonly ResourcesAdvice[]): string {
  const blocks = list.filter((r) => r.yaml !== '');
  if (blocks.length === 0) return '';
  const shown = blocks.slice(0, BLOCKS);
  const more = blocks.length > shown.length ? ` The first ${shown.length} of ${blocks.length}; summary.json advice.resources has all.` : '';
  const items = shown.map((r) => {
    const notes = [r.fromRequests ? 'no usage model: the request plus margin, not a measurement' : '', r.shortHistory ? historyNote(r) : ''].filter(Boolean);
    return `<div class="resources-block"><p style="margin: 8px 0 2px"><strong>${escapeHtml(r.workload)}</strong> · ${escapeHtml(r.container)}` +
      `${notes.length > 0 ? ` <span class="muted">(${escapeHtml(notes.join('; '))})</span>` : ''} <button type="button" class="copy" style="font-size: 12px">Copy</button></p><pre style="margin: 0">${escapeHtml(r.yaml)}</pre></div>`;
  }).join('\n');
  return `<h3 id="resources">Resources to paste</h3>
<p class="muted">${escapeHtml(`Each container's requests at the recommender's target, rounded up to a whole millicore and Mi (so a figure can read 1Mi above the table's); a limit it had is scaled with its request (the VPA keeps the limit:request ratio). Paste under the container in its manifest.${more}`)}</p>
<div style="display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 4px 16px">
${items}
</div>
<script>
document.querySelectorAll('.resources-block button.copy').forEach(function (button) {
  button.addEventListener('click', function () {
    var text = button.parentNode.nextElementSibling.textContent;
    var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
    var fallback = function () {
      var area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      try { document.execCommand('copy'); done(); } finally { area.remove(); }
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback); else fallback();
  });
});
</script>`;
}
