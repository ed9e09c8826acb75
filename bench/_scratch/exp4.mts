import { chromium } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await (await b.newContext()).newPage(); await p.goto('about:blank');
const pids = readdirSync('/proc').filter(n => /^\d+$/.test(n));
const t = performance.now(); let rss = 0, pss = 0;
for (const pid of pids) { try { const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'); pss += Number(/Pss:\s+(\d+)/.exec(s)?.[1] ?? 0); rss += Number(/Rss:\s+(\d+)/.exec(s)?.[1] ?? 0);} catch {} }
console.log(pids.length, 'procs', (performance.now() - t).toFixed(1), 'ms', rss >> 10, 'MiB rss', pss >> 10, 'MiB pss');
await b.close();
