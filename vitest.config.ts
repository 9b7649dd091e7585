import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CLI tests spawn the built binary; build once before the suite.
    globalSetup: ['test/global-setup.ts'],
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core CI machine,
    // which then sits idle while a CLI test waits on its child process. Two workers there took the
    // suite from 7.0 to 4.7 minutes (CI's limit is 10).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
  },
});
