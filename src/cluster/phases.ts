// Event phases: at equal times, lower phases run first. Scripted what-ifs happen, nodes change,
// kubelets act, controllers reconcile, the scheduler places what they created, and only then is
// the instant sampled.
export const Phase = {
  Script: 0,
  Node: 1,
  Kubelet: 2,
  Controller: 3,
  Scheduler: 5,
  Sample: 9,
} as const;
