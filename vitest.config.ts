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
      // The API reference builds without warnings (typedoc; scripts/docs.test.ts).
      { ...shared, test: { name: 'docs', root: '.', include: ['scripts/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});
