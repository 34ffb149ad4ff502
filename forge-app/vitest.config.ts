import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'forge-app',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
    // UI Kit's bridge must exist before @forge/bridge is first imported.
    setupFiles: ['test/support/install-stub-bridge.ts'],
  },
});
