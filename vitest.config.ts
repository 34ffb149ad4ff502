import { defineConfig } from 'vitest/config';

// One `vitest run` at the root runs every workspace's suite as its own project,
// so `npm test` shows real tests from each workspace side by side.
export default defineConfig({
  test: {
    projects: ['shared', 'devkit', 'backend', 'local-stack', 'forge-app', 'bench', 'cli'],
  },
});
