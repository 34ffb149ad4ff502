import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'devkit',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
  },
});
