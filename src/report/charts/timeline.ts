// What happened when: OOM kills, evictions, preemptions and scaling (of replicas and of nodes)
// on one timeline, with the disruptions and rollouts that usually explain them. A circle's
// area is the number of events in its time bucket.
import type { RunData } from '../runFiles.ts';
import { TIMELINE_CATEGORIES } from '../runFiles.ts';
import { durationLabel, emptyChart, epochMs, frame, timeTooltip, timeX, type Chart } from './chart.ts';

const CATEGORIES = [...new Set(Object.values(TIMELINE_CATEGORIES))];
const COLORS: Record<string, string> = {
  'OOM kill': '#e45756',
  Eviction: '#f58518',
  Preemption: '#b279a2',
  'Replicas up': '#4c78a8',
  'Replicas down': '#9ecae9',
  'Node scale-up': '#54a24b',
  'Node scale-down': '#88d27a',
  'Node disruption': '#000000',
  Rollout: '#9d755d',
};

export function timelineChart(run: RunData): Chart {
  const title = 'Events timeline';
  const caption = `OOM kills, evictions, preemptions, scaling, node disruptions and rollouts, counted per ${durationLabel(run.bucketSeconds)} bucket.`;
  if (run.events.timeline.length === 0) return emptyChart('timeline', title, caption, 'No OOM kills, evictions, preemptions, scaling, disruptions or rollouts in this run.');
  const present = CATEGORIES.filter((c) => run.events.timeline.some((e) => e.category === c));
  const values = run.events.timeline.map((e) => ({ time: epochMs(run, e.t), category: e.category, count: e.count }));
  return {
    name: 'timeline',
    title,
    caption,
    spec: {
      ...frame(values, Math.max(60, present.length * 28)),
      mark: { type: 'circle', opacity: 0.8, stroke: '#fff', strokeWidth: 0.5 },
      encoding: {
        x: { ...timeX(), scale: { type: 'utc', domain: [epochMs(run, 0), epochMs(run, run.summary.durationSeconds)] } },
        y: { field: 'category', type: 'nominal', title: null, sort: present },
        size: { field: 'count', type: 'quantitative', title: 'events', scale: { range: [30, 500], domainMin: 0 }, legend: { format: ',d', tickMinStep: 1 } },
        color: { field: 'category', type: 'nominal', legend: null, scale: { domain: present, range: present.map((c) => COLORS[c]) } },
        tooltip: [
          { ...timeTooltip(), title: 'from (UTC)' },
          { field: 'category', type: 'nominal', title: 'what' },
          { field: 'count', type: 'quantitative', title: 'events' },
        ],
      },
    },
  };
}
