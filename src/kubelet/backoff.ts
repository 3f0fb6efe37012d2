// The kubelet's container restart back-off (kubelet.go + client-go flowcontrol.Backoff,
// reference §5.6): 10 s doubling to 300 s, no jitter. The first failure restarts at once: in
// kuberuntime_manager.go doBackOff, IsInBackOffSince finds no entry for the container, so it starts
// and backOff.Next opens the 10 s window; each later failure waits the current back-off counted from the failure; an entry whose
// last restart is more than 2 x 300 s before the failure starts over ("ran 10 min without
// problems").

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry {
  backoffMs: number;
  /** When the kubelet last restarted the container (Backoff.Next sets lastUpdate = now). */
  lastUpdateMs: number;
}

export class RestartBackoff {
  private readonly entries = new Map<string, Entry>();

  /** How long after a failure at `failedAtMs` the container may restart (0 = at once). */
  delayAfterFailure(key: string, failedAtMs: number): number {
    const entry = this.entries.get(key);
    if (!entry || this.expired(entry, failedAtMs)) return 0;
    return entry.backoffMs;
  }

  /** Records a restart at `nowMs` after a failure at `failedAtMs` (Backoff.Next). */
  restarted(key: string, failedAtMs: number, nowMs: number): void {
    const entry = this.entries.get(key);
    if (!entry || this.expired(entry, failedAtMs)) {
      this.entries.set(key, { backoffMs: BACKOFF_INITIAL_MS, lastUpdateMs: nowMs });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, BACKOFF_MAX_MS);
    entry.lastUpdateMs = nowMs;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private expired(entry: Entry, eventMs: number): boolean {
    return eventMs - entry.lastUpdateMs > 2 * BACKOFF_MAX_MS;
  }
}
