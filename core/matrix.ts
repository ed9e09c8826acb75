/**
 * The browser × viewport matrix. Each cell becomes a Playwright project when its
 * browser is on this machine, or a "not run: <reason>" cell when it is not — a
 * browser that did not run is never reported as passed.
 */
import { devices } from '@playwright/test';
import type { BrowserName, ProbeConfig, ViewportConfig } from '../config/schema.ts';
import { findBrowser, type BrowserStatus, type Engine } from './browsers.ts';

export interface ContextOptions {
  viewport: { width: number; height: number };
  userAgent?: string;
  deviceScaleFactor?: number;
  isMobile?: boolean;
  hasTouch?: boolean;
}

export interface MatrixCell {
  /** Playwright project name, e.g. "chromium/android". */
  name: string;
  browser: BrowserName;
  engine: Engine;
  viewport: { name: string; width: number; height: number };
  context: ContextOptions;
}
export interface RunnableCell extends MatrixCell { launch: { channel?: string; launchOptions: { executablePath?: string; args?: string[] } } }
export interface NotRunCell extends MatrixCell { reason: string }

interface Preset { device?: string; width?: number; height?: number; browsers?: BrowserName[] }
/** Phones only run on the engines that phone really uses, plus a Chromium emulation. */
const PRESETS: Record<'desktop' | 'android' | 'iphone' | 'tablet', Preset> = {
  desktop: { width: 1280, height: 800 },
  android: { device: 'Pixel 7', browsers: ['chromium', 'chrome', 'edge'] },
  iphone: { device: 'iPhone 15', browsers: ['webkit', 'chromium'] },
  tablet: { device: 'iPad (gen 7)', browsers: ['webkit', 'chromium'] },
};

function resolveViewport(v: ViewportConfig): { name: string } & Preset {
  return typeof v === 'string' ? { name: v, ...PRESETS[v] } : v;
}

function contextFor(p: Preset, engine: Engine): ContextOptions {
  const d = p.device ? devices[p.device] : undefined;
  if (!d) return { viewport: { width: p.width ?? 1280, height: p.height ?? 800 } };
  const ctx: ContextOptions = {
    viewport: { width: p.width ?? d.viewport.width, height: p.height ?? d.viewport.height },
    userAgent: d.userAgent,
    deviceScaleFactor: d.deviceScaleFactor,
    hasTouch: d.hasTouch,
  };
  // Firefox cannot emulate isMobile; the viewport, UA and touch still apply.
  if (engine !== 'firefox') ctx.isMobile = d.isMobile;
  return ctx;
}

export function buildMatrix(config: ProbeConfig, find: (b: BrowserName) => BrowserStatus = (b) => findBrowser(b)):
  { runnable: RunnableCell[]; notRun: NotRunCell[]; cells: string[] } {
  const cells: string[] = [];
  const runnable: RunnableCell[] = [];
  const notRun: NotRunCell[] = [];
  const statuses = new Map<BrowserName, BrowserStatus>();
  for (const b of config.browsers) statuses.set(b, find(b));
  for (const vc of config.viewports) {
    const v = resolveViewport(vc);
    for (const b of config.browsers) {
      if (v.browsers && !v.browsers.includes(b)) continue;
      const status = statuses.get(b);
      if (!status) continue;
      const context = contextFor(v, status.engine);
      const cell: MatrixCell = {
        name: `${b}/${v.name}`, browser: b, engine: status.engine,
        viewport: { name: v.name, ...context.viewport }, context,
      };
      cells.push(cell.name);
      if (status.available) runnable.push({ ...cell, launch: status.launch });
      else notRun.push({ ...cell, reason: status.reason });
    }
  }
  return { runnable, notRun, cells };
}
