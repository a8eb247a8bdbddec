/**
 * Vitest settings for `npm test` (package.json passes --config): kept in
 * test/ so the repository's top level stays what the project fixes. The
 * root is the repository, so paths here are relative to it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that build dist/ or spawn the CLI share the machine's two cores.
    pool: 'forks',
  },
});
