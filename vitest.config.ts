import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: pure code, no services, files in parallel (`npx vitest --project unit`
 * runs in seconds). `medium`: everything else, against the real Neo4j and Redis that the global
 * setup brings up; those files share one Neo4j and one Redis, isolate themselves by database wipe /
 * queue prefix, and run one at a time (two cores cannot run many Neo4j-heavy files at once).
 * A new test file is `medium` unless it is listed here.
 */
const UNIT = [
  'test/graph/**/*.test.ts',
  'test/loaders/**/*.test.ts',
  'test/baselines/**/*.test.ts',
  'test/generator/**/*.test.ts',
  'test/evaluate/evaluate.test.ts',
  'test/evaluate/agreement.test.ts',
  'test/fingerprint/{hmac,lsh,normalise,rules,shared-validation}.test.ts',
  'test/detect/quality.test.ts',
  'test/config.test.ts',
  'test/cli/error-report.test.ts',
  'test/util/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: { name: 'medium', include: ['test/**/*.test.ts'], exclude: UNIT, fileParallelism: false, globalSetup: ['test/global-setup.ts'] },
      },
    ],
  },
});
