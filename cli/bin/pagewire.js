#!/usr/bin/env node
// In this repository the CLI runs from its TypeScript sources through tsx (no build step, never stale);
// the published package has no sources and runs the bundle `npm pack` built (build.mjs).
import { existsSync } from 'node:fs';

const source = new URL('../src/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/pagewire.js', import.meta.url).href);
}
