import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'forge-app',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
  },
});
