import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/cdktf-matchers.ts'],
    // Docker-backed suites build images and start containers: generous, but bounded.
    testTimeout: 120_000,
    hookTimeout: 900_000,
    // Two cores: more parallel files only make Docker-backed suites slower and flakier.
    maxWorkers: 2,
  },
});
