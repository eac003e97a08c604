import { defineConfig } from 'vitest/config';
import HeavyFirstSequencer from './test/setup/heavy-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/cdktf-matchers.ts'],
    // Docker-backed suites build images and start containers: generous, but bounded. On a cold
    // machine one file builds every image (≈10 min on 2 quiet cores) while the others wait for
    // the build lock inside their beforeAll, so hooks get room for a whole cold build.
    testTimeout: 120_000,
    hookTimeout: 1_800_000,
    // Two cores: more parallel files only make Docker-backed suites slower and flakier.
    maxWorkers: 2,
    sequence: { sequencer: HeavyFirstSequencer },
  },
});
