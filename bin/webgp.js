#!/usr/bin/env node
// `npx webgp …`: runs the TypeScript CLI (src/cli/webgp.ts) through tsx, a dev dependency.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/webgp.ts');
