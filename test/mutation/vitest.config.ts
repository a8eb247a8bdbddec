/**
 * The suite's vitest settings narrowed for a mutation run: Stryker runs vitest
 * with this file (stryker.config.mjs), and mutate.mjs names the test files
 * that hold the mutated folder to its behaviour in MUTATE_TESTS (comma-
 * separated globs; see testsFor in reports-lib.mjs). Without it, the whole
 * suite's include applies, narrowed by vitest's `related` to the files that
 * import the mutated code.
 */
import { defineConfig } from 'vitest/config';
import suite from '../vitest.config.js';

const include = process.env.MUTATE_TESTS?.split(',').filter(Boolean);

// Replaced, not merged: vite's mergeConfig would append to the suite's include.
export default defineConfig({ ...suite, test: { ...suite.test, ...(include?.length ? { include } : {}) } });
