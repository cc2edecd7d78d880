import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration tests share one Neo4j and one Redis; files isolate themselves by
    // database prefix / queue prefix, but two cores cannot run many Neo4j-heavy files at once.
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
