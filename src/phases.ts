// Event phases: at equal times, lower phases run first. Scripted what-ifs happen, nodes change,
// kubelets act, controllers reconcile, the scheduler places what they created, the kubelets'
// resource physics settles what all of that changed (usage, throttling, memory alarms), and
// only then is the instant sampled.
export const Phase = {
  Script: 0,
  Node: 1,
  Kubelet: 2,
  Controller: 3,
  Scheduler: 5,
  Physics: 8,
  Sample: 9,
} as const;
