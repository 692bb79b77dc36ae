import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Inference on 2 cores: run files one at a time so timings and memory stay predictable.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    // Services log JSON per request; tests show warnings and errors only unless LOG_LEVEL says otherwise.
    // CPU inference unless asked otherwise: the CUDA fallback has its own test (test/engine/session.test.ts).
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', FACEREC_EXECUTION_PROVIDERS: process.env.FACEREC_EXECUTION_PROVIDERS ?? 'cpu' },
  },
});
