import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that build dist/ or spawn the CLI share the machine's two cores.
    pool: 'forks',
  },
});
