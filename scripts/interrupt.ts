/**
 * Stopping a run cleanly. systemd, cron wrappers and CI cancel a probe with SIGTERM, a
 * person with Ctrl-C (SIGINT), a closed terminal with SIGHUP. While `portal-probe run`
 * is under way these no longer kill the process on the spot: the run asks the Playwright
 * runner to stop (it ends the journeys under way and closes its browsers), writes the
 * results it has — journeys it did not finish are "not run: interrupted" —, and exits
 * with 128 + the signal's number (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
 *
 * The same signal often arrives more than once (a terminal signals the whole process
 * group, npm and tsx relay it); copies within a second count as one. A signal repeated
 * later means "now": the runner is killed without waiting.
 */
import os from 'node:os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const SAME_SIGNAL_MS = 1000;

export class Interruption {
  signal: StopSignal | undefined;
  private firstAtMs = 0;
  private forced = false;
  private readonly listeners = new Set<(force: boolean) => void>();
  private readonly onProcessSignal = (s: NodeJS.Signals): void => {
    const now = Date.now();
    if (this.signal === undefined) {
      this.signal = s as StopSignal;
      this.firstAtMs = now;
      console.error(`portal-probe: ${s} received; stopping the journeys under way and closing the browsers (send it again to stop at once).`);
    } else if (now - this.firstAtMs < SAME_SIGNAL_MS || this.forced) {
      return;
    } else {
      this.forced = true;
      console.error(`portal-probe: ${s} received again; stopping at once.`);
    }
    for (const l of this.listeners) l(this.forced);
  };

  constructor() {
    for (const s of STOP_SIGNALS) process.on(s, this.onProcessSignal);
  }

  /** Called on the first signal (force false) and on a later repeat (force true). */
  onSignal(listener: (force: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** 128 + the signal's number, the shell's convention for "ended by a signal". */
  get exitCode(): number | undefined {
    return this.signal === undefined ? undefined : 128 + os.constants.signals[this.signal];
  }

  /** Gives the signals back to their default behaviour. */
  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.onProcessSignal);
    this.listeners.clear();
  }
}
