import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'local-stack',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
  },
});
