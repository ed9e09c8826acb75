#!/usr/bin/env node
// Launcher: registers tsx's loader and runs the TypeScript CLI in this process (no build
// step, and no extra process between a signal and the run it should stop).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/cli.ts');
process.exitCode = await main(process.argv.slice(2));
