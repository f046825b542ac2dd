import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

// The server under test: a release build on its own port, with the database
// and Redis that scripts/test.sh prepared (E2E_DATABASE_URL, E2E_REDIS_URL).
const port = Number(process.env.E2E_PORT ?? 3100);
// The SMTP server the e2e Warta sends its mail to (end2end/smtp-sink.mjs),
// and the HTTP port the specs read it on (tests/mail.ts).
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3125);
const smtpHttpPort = Number(process.env.E2E_SMTP_HTTP_PORT ?? 3126);

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        // Debian's Chromium: Playwright never downloads a browser here.
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
  webServer: [
    {
      command: 'node end2end/smtp-sink.mjs',
      url: `http://127.0.0.1:${smtpHttpPort}/ready`,
      reuseExistingServer: false,
      timeout: 10_000,
      stdout: 'ignore',
      stderr: 'pipe',
      cwd: path.join(__dirname, '..'),
      env: { E2E_SMTP_PORT: String(smtpPort), E2E_SMTP_HTTP_PORT: String(smtpHttpPort) },
    },
    {
      command: 'target/release/warta serve',
      url: `http://127.0.0.1:${port}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      cwd: path.join(__dirname, '..'),
      env: {
        PORT: String(port),
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
        REDIS_URL: process.env.E2E_REDIS_URL ?? '',
        // Sessions on a Redis of their own when scripts/test.sh has one.
        ...(process.env.E2E_SESSION_REDIS_URL ? { WARTA_SESSION_REDIS_URL: process.env.E2E_SESSION_REDIS_URL } : {}),
        LEPTOS_SITE_ROOT: 'target/site',
        RUST_LOG: 'warn',
        // A cache of this run's own: the database is new each run.
        WARTA_REDIS_PREFIX: `warta-e2e-${Date.now()}`,
        WARTA_VIEW_FLUSH_MS: '200',
        // Every test signs up from 127.0.0.1: more than the 30 registrations
        // one address may make in ten minutes.
        WARTA_ATTEMPTS_PER_ADDRESS: '1000',
        // And the 20 accounts one address may make in an hour.
        WARTA_REGISTRATIONS_PER_ADDRESS: '1000',
      // Likewise the searches one address may make in a minute.
      WARTA_SEARCHES_PER_ADDRESS: '1000',
        // Mail through a real SMTP server the specs read (tests/mail.ts);
        // media of this run where they can find it.
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        WARTA_MEDIA_URL: 'target/e2e-media',
        WARTA_JOB_POLL_MS: '200',
      },
    },
  ],
});
