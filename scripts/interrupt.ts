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
 *
 * Started by npm (`npx portal-probe …`, `npm start`, `npm run …`), the signal a supervisor
 * sends to npm may never arrive here: npm passes it to the `sh -c` it started, which dies
 * of it without passing it on, and npm exits while this process runs on, orphaned. So when
 * npm started it (npm sets `npm_command`), the launcher chain — every ancestor up to and
 * including the npm process — is watched, and one of them ending counts as SIGTERM. A
 * process started otherwise (a shell, nohup, systemd, a container's PID 1) is not affected:
 * its parent going away is no request to stop.
 */
import os from 'node:os';
import { ancestors, stillRunning, type Proc } from '../core/process-tree.ts';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const SAME_SIGNAL_MS = 1000;
/** How often the launcher chain is looked at. */
const LAUNCHER_POLL_MS = 250;

/** The processes between this one and the npm that started it (npm included), or none when npm did not. */
export function npmLaunchers(env: NodeJS.ProcessEnv = process.env): Proc[] {
  if (!env.npm_command) return [];
  const chain = ancestors(process.pid);
  const npm = chain.findIndex((p) => /(^|[/\\ ])(npm|npx)(-cli\.js)?( |$)|npm exec|npm-cli\.js|npx-cli\.js/.test(p.cmdline));
  return npm < 0 ? [] : chain.slice(0, npm + 1);
}

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

  private readonly launcherWatch: NodeJS.Timeout | undefined;

  constructor() {
    for (const s of STOP_SIGNALS) process.on(s, this.onProcessSignal);
    const launchers = npmLaunchers();
    if (launchers.length > 0) {
      this.launcherWatch = setInterval(() => {
        const gone = launchers.find((p) => !stillRunning(p));
        if (!gone || this.signal) return;
        console.error(`portal-probe: the process that started it (pid ${gone.pid}, ${gone.cmdline.split(' ')[0] ?? '?'}) has ended; stopping as on SIGTERM.`);
        this.onProcessSignal('SIGTERM');
      }, LAUNCHER_POLL_MS);
      this.launcherWatch.unref();
    }
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
    clearInterval(this.launcherWatch);
    this.listeners.clear();
  }
}
