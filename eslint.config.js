import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.ringscope/**', 'neo4j-launcher/**', 'bench-out/**', 'test-artifacts/**', 'report-assets/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The algorithms are pure and seeded (docs/ARCHITECTURE.md): no I/O module may enter src/graph/.
    files: ['src/graph/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'fs/*', 'path', 'os', 'net', 'http', 'https', 'child_process', 'stream', 'zlib', 'worker_threads'],
              message: 'src/graph/ is pure: no Node I/O modules.',
            },
            {
              group: ['neo4j-driver', 'bullmq', 'ioredis', 'pino', 'fastify', 'csv-parse', 'csv-parse/*'],
              message: 'src/graph/ is pure: I/O libraries belong in repository modules.',
            },
            {
              group: ['**/db/*', '**/jobs/*', '**/loaders/*', '**/export/*', '**/report/*', '**/analyst/*', '**/cli/*', '**/config/*', '**/util/logger.js'],
              message: 'src/graph/ is pure: it must not import the I/O layers.',
            },
          ],
        },
      ],
    },
  },
);
