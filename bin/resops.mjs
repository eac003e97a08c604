#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx resops` works from a checkout without a build step.
// tsx is registered in this process rather than spawned as a second one: half a second less per
// command, which learners feel on every `resops exercise check`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
const code = await main(process.argv.slice(2));
// Exit once stdout has drained, so piped output is never cut and no stray handle keeps us alive.
process.stdout.write('', () => process.exit(code));
