/**
 * `portal-probe monitor`: the long-running probe. Loads the config once, starts the embedded
 * demo portal once (when a portal uses it), opens the store, and hands the monitor
 * (monitor/daemon.ts) the very run `portal-probe run` does as its tick, its journeys played by
 * the resident runner (monitor/resident.ts: browsers kept between ticks) unless the config
 * asks for a Playwright runner per tick. Serves /metrics,
 * /healthz and /readyz; sends Slack messages through the store's outbox.
 *
 * Stops on SIGTERM, SIGINT or SIGHUP: no new ticks; the runs under way are asked to stop
 * (their unfinished journeys are "not run: interrupted", as in `run`; a runner per tick is
 * ended after `monitor.stopGrace`); the resident runner's browsers are closed; the send under way finishes or times out; the store is closed; exit
 * 128 + the signal's number. A repeated signal ends the runs at once.
 *
 * `--once`: every scheduled journey once (with its retry), messages sent, then exit: 0, or 1
 * when a critical incident is open afterwards, 2 on a harness fault.
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/load.ts';
import { demoConfig } from '../config/demo.config.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { EXIT, HarnessError } from '../core/errors.ts';
import { createLogger, flushLogger } from '../core/logger.ts';
import { openStore } from '../store/index.ts';
import { OutboxSender, type Route } from '../alerting/outbox.ts';
import { Monitor } from '../monitor/daemon.ts';
import { ResidentRunner } from '../monitor/resident.ts';
import { createMetrics } from '../monitor/metrics.ts';
import { startHealthServer, type HealthServer } from '../monitor/health-server.ts';
import { startEmbeddedDemo, type EmbeddedDemo } from './embedded-demo.ts';
import { Interruption } from './interrupt.ts';
import { runOnce } from './run.ts';
import { pruneResults } from '../monitor/retention.ts';

export const MONITOR_USAGE = `Usage: portal-probe monitor [options]

Runs the config's "monitor" schedules until stopped (SIGTERM/SIGINT): each tick is one
recorded run of one journey in every cell; incidents open, update, remind and resolve in
Slack; /metrics, /healthz and /readyz are served on 127.0.0.1:9464 (monitor.metrics).

  --config PATH        config file (default: ./portal-probe.config.ts|.json, else the embedded demo)
  --once               run every scheduled journey once, send the messages, and exit
                       (0, or 1 when a critical incident is open afterwards): for cron set-ups
  --store FILE         history database (default: the config's "store")
  --location NAME      this probe's network location label (default: the config's, else the host name)
  --output DIR         results directory (default .portal-probe/results)
  --metrics-port N     listen on this port instead (0: any free port; the address is logged)`;

export interface MonitorOptions {
  configPath?: string;
  cwd: string;
  once: boolean;
  store?: string;
  location?: string;
  outputDir?: string;
  metricsPort?: number;
}

/** How long `--once` waits for Slack before leaving the rest in the outbox for the next start. */
const ONCE_SEND_MS = 60_000;

export async function monitorCommand(o: MonitorOptions): Promise<number> {
  const loaded = await loadConfig({ cwd: o.cwd, demoConfig: async () => demoConfig, ...(o.configPath ? { configPath: o.configPath } : {}) });
  const config = { ...loaded.config, ...(o.outputDir ? { outputDir: o.outputDir } : {}) };
  const m = config.monitor;
  if (!m) throw new HarnessError('USAGE', `The config ${loaded.source} has no "monitor" section: add one with at least one schedule (README: "The monitor").`);
  const usesDemo = config.portals.some((p) => p.baseUrl === 'demo');
  const interruption = new Interruption();
  let demo: EmbeddedDemo | undefined;
  let server: HealthServer | undefined;
  let sender: OutboxSender | undefined;
  let outboxTimer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let closeResident: () => Promise<void> | undefined = () => undefined;
  const storeTarget = o.store ?? config.store;
  const store = await openStore(storeTarget, o.cwd);
  try {
    if (usesDemo) demo = await startEmbeddedDemo(config, config.demo.faults);
    const secrets = resolveSecrets(config, { env: process.env, baseDir: loaded.baseDir, monitor: true, ...(demo ? { demoSecrets: demo.secrets } : {}) });
    const log = createLogger({ secrets: [...secrets.values(), ...(demo ? [demo.portal.adminToken] : [])] }).child({ component: 'monitor' });
    const routes: Route[] = (m.slack?.webhooks ?? []).map((w) => ({ name: w.name, url: secrets.get(w.url), ...(w.portals ? { portals: w.portals } : {}), ...(w.severities ? { severities: w.severities } : {}) }));
    const location = o.location ?? config.location ?? os.hostname();
    const metrics = m.metrics.enabled ? createMetrics() : undefined;
    if (routes.length > 0) {
      sender = new OutboxSender({ store, urls: new Map(routes.map((r) => [r.name, r.url])), timeoutMs: m.slack?.timeout ?? 10_000, log });
    }
    // Ticks run in this process, in browsers kept between them (monitor/resident.ts), unless the
    // config asks for a Playwright runner per tick or for traces (only the runner takes them).
    const resident = m.runner === 'resident' && config.artifacts.trace === 'off' ? new ResidentRunner() : undefined;
    closeResident = () => resident?.close();
    const monitor = new Monitor({
      config, monitor: m, store, location, routes, log, ...(metrics ? { metrics } : {}),
      queued: () => sender?.wake(),
      runTick: (req) => runOnce({
        cwd: o.cwd, loaded: { ...loaded, config }, faults: [], journeys: [req.journey], checks: [], labels: req.labels, json: false, quiet: true,
        portal: req.portal, location, stopGraceMs: m.stopGrace, interruption, ...(req.cells ? { cells: req.cells } : {}),
        ...(o.store ? { store: o.store } : {}), ...(demo ? { demo } : {}), ...(resident ? { executor: resident } : {}),
      }),
      onTick: (t) => log.info({ journey: t.job, tick: t.tickId, runs: t.runs, state: t.state, notices: t.notices, lagMs: t.lagMs }, `tick ${t.job}: ${t.state}`),
    });
    await monitor.load();
    // The outbox gauges: refreshed every 15 s and on each /readyz, so a scrape shows a backlog
    // building during a Slack outage without anyone asking /readyz.
    const refreshOutbox = async (): Promise<void> => {
      const { depth, oldestAgeSeconds } = sender ? await sender.depth(Date.now()) : { depth: 0, oldestAgeSeconds: 0 };
      metrics?.outbox(depth, oldestAgeSeconds);
    };
    if (metrics && !o.once) {
      outboxTimer = setInterval(() => void refreshOutbox().catch((e: unknown) => log.warn({ err: e instanceof Error ? e.message : String(e) }, 'outbox gauges not refreshed')), 15_000);
      outboxTimer.unref();
      server = await startHealthServer({
        host: m.metrics.host, port: o.metricsPort ?? m.metrics.port, metrics,
        ready: async () => {
          if (!monitor.running) return { ok: false, reason: 'the schedules are not running' };
          try {
            await store.probeWrite();
            await refreshOutbox();
            return { ok: true };
          } catch (e) {
            return { ok: false, reason: e instanceof Error ? e.message : String(e) };
          }
        },
      });
      log.info({ url: server.url }, `metrics and health on ${server.url}`);
    }
    sender?.start();
    // Ticks' results folders, past monitor.keepResultsDays: at start, then hourly.
    const outputDir = path.resolve(o.cwd, config.outputDir);
    const pruneFolders = async (): Promise<void> => {
      const removed = await pruneResults(outputDir, Date.now() - m.keepResultsDays * 86_400_000, (dir, e) => log.warn({ dir, err: e instanceof Error ? e.message : String(e) }, 'an old results folder could not be deleted'));
      if (removed.length) log.info({ removed: removed.length, outputDir }, `deleted ${removed.length} results folder(s) older than ${m.keepResultsDays} days`);
    };
    await pruneFolders();
    if (!o.once) {
      pruneTimer = setInterval(() => void pruneFolders().catch((e: unknown) => log.warn({ err: e instanceof Error ? e.message : String(e) }, 'old results folders not pruned')), 3_600_000);
      pruneTimer.unref();
    }
    console.log(`portal-probe monitor: ${monitor.jobIds.length} journey(s) (${monitor.jobIds.join(', ')}); location ${location}; store ${path.resolve(o.cwd, storeTarget)}${server ? `; metrics ${server.url}/metrics` : ''}${routes.length ? `; Slack: ${routes.map((r) => r.name).join(', ')}` : '; no Slack webhook configured'}`);

    const stopped = new Promise<void>((resolve) => {
      const halt = (): void => {
        monitor.stop();
        resolve();
      };
      interruption.onSignal(halt);
      // A signal during start-up (the demo portal, the store, the health server) stops it too.
      if (interruption.signal) halt();
    });
    if (o.once) {
      await Promise.race([monitor.once(), stopped]);
      monitor.stop();
      await monitor.stopped();
      if (sender && !interruption.signal) await drain(sender, ONCE_SEND_MS);
    } else {
      monitor.start();
      await stopped;
      console.error('portal-probe monitor: stopping: no new ticks; ending the runs under way.');
      await monitor.stopped();
    }
    const open = monitor.openIncidents();
    for (const i of open) console.log(`open ${i.severity} incident: ${i.key.portal} › ${i.key.journey} (${i.key.location}) since ${new Date(i.since).toISOString()}: ${i.cells.join(', ')}`);
    await flushLogger(log);
    return interruption.exitCode ?? (open.some((i) => i.severity === 'critical') ? EXIT.checksFailed : EXIT.ok);
  } finally {
    clearInterval(outboxTimer);
    clearInterval(pruneTimer);
    await sender?.stop();
    await closeResident();
    await server?.close();
    await store.close().catch(() => undefined);
    await demo?.portal.close();
    interruption.dispose();
  }
}

/** Waits until the outbox is empty, or `ms` passed (what is left is sent at the next start). */
async function drain(sender: OutboxSender, ms: number): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until;) {
    if ((await sender.depth(Date.now())).depth === 0) return;
    await sleep(250);
  }
}
