/**
 * StrykerJS settings for `npm run mutate` (test/mutation/mutate.mjs passes
 * this file and the files to mutate). Kept in test/ so the top level stays
 * lean; paths are relative to the repository root, where the script runs.
 *
 * Speed comes from three settings: the vitest runner's `related` mode runs
 * only the test files that import the mutated code, `perTest` coverage runs
 * only the tests that reach a mutant, and incremental mode (one report per
 * src/ folder in test/mutation/reports/, chosen by mutate.mjs) re-tests only
 * mutants whose code or covering tests changed since the recorded report.
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // The checker type-checks each mutant alone; a mutant that does not compile
  // is not a test gap and is left out of the score.
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  incremental: true,
  reporters: ['clear-text', 'progress-append-only'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  concurrency: 1,
  // A slow mutant (an infinite guest loop) is a timeout, which counts as
  // killed; the factor is generous because the machine is shared.
  timeoutMS: 20_000,
  timeoutFactor: 2.5,
  ignorePatterns: ['dist', 'bench/results', '.stryker-tmp', 'test/mutation/reports', '*.cpuprofile', 'tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  disableTypeChecks: 'src/**/*.ts',
};
