/**
 * `portal-probe validate [--config PATH]`: load and check the config and resolve every
 * secret reference, printing every problem with its path — and run nothing.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { demoConfig, demoEnvName } from '../config/demo.config.ts';
import { EXIT } from '../core/errors.ts';

export async function validateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true });
  const loaded = await loadConfig({ cwd: process.cwd(), demoConfig: async () => demoConfig, ...(values.config ? { configPath: values.config } : {}) });
  const usesDemo = loaded.config.portals.some((p) => p.baseUrl === 'demo');
  // The demo portal's secrets exist only once it runs; stand-ins prove the references are well-formed.
  const demoSecrets: Record<string, string> = {};
  if (usesDemo) {
    for (const p of loaded.config.portals.filter((x) => x.baseUrl === 'demo')) {
      for (const a of p.accounts) {
        demoSecrets[demoEnvName(a.id, 'PASSWORD')] = 'demo-password';
        demoSecrets[demoEnvName(a.id, 'TOTP')] = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      }
    }
  }
  resolveSecrets(loaded.config, { env: process.env, baseDir: loaded.baseDir, demoSecrets });
  for (const w of loaded.warnings) console.warn(`warning: ${w}`);
  const c = loaded.config;
  const journeys = c.portals.reduce((n, p) => n + p.journeys.length, 0);
  console.log(`${loaded.source}: valid — ${c.portals.length} portal(s), ${journeys} journey(s), browsers ${c.browsers.join(', ')}, viewports ${c.viewports.map((v) => (typeof v === 'string' ? v : v.name)).join(', ')}.`);
  return EXIT.ok;
}
