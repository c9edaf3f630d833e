import { defineConfig } from 'vitest/config';

// One project per package. Packages resolve each other through the `source`
// export condition, so tests run against TypeScript sources, not dist/.
// Slow suites (large N, full training) run only with QHE_SLOW=1.
const conditions = ['source', 'module', 'node', 'import', 'default'];
const shared = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
};

export default defineConfig({
  test: {
    projects: [
      { ...shared, test: { name: 'bfv', root: 'packages/bfv', include: ['test/**/*.test.ts'], testTimeout: 120_000 } },
      { ...shared, test: { name: 'quant', root: 'packages/quant', include: ['test/**/*.test.ts'], testTimeout: 300_000 } },
      { ...shared, test: { name: 'nn', root: 'packages/nn', include: ['test/**/*.test.ts'], testTimeout: 300_000 } },
      // Repository-level checks: the API reference builds without warnings (scripts/docs.test.ts),
      // the benchmark reports render from the committed results (benchmarks/test).
      { ...shared, test: { name: 'repo', root: '.', include: ['scripts/*.test.ts', 'benchmarks/test/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});
