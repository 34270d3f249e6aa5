#!/usr/bin/env node
// `npx renotify …`: loads the TypeScript CLI through tsx's loader, in this process.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
const code = await run(process.argv.slice(2));
// Let stdout drain before leaving: a piped export must arrive whole.
process.stdout.write('', () => process.exit(code));
