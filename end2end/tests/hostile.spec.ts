import { test, expect, type ConsoleMessage, type Page } from '@playwright/test';
import { signUp } from './helpers';

// The title that once closed <title> and ran as a script for every reader
// (the hostile-users issue, case 1). It must be shown as text, run nowhere,
// and need no exception in the Content-Security-Policy.
const PAYLOAD = '</title><script nonce="">alert(document.domain)</script>';

/** Watches `page` for any dialog and any console message about the policy. */
function watch(page: Page) {
  const dialogs: string[] = [];
  const policy: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('console', (message: ConsoleMessage) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) policy.push(message.text());
  });
  return { dialogs, policy };
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`a hostile title with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('is shown as text and never runs, for its author and for readers', async ({ page, browser, baseURL }) => {
      const seen = watch(page);
      const name = await signUp(page, javaScriptEnabled, 'hostile');
      await page.goto('/editor');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByLabel('Title', { exact: true }).fill(PAYLOAD);
      await page.getByLabel('Description', { exact: true }).fill(PAYLOAD);
      await page.getByLabel('Body', { exact: true }).fill(`${PAYLOAD}\n\n<img src=x onerror="alert(2)">`);
      await page.getByRole('button', { name: 'Publish' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(PAYLOAD);
      const articleUrl = page.url();

      const reader = await browser.newPage({ baseURL, javaScriptEnabled });
      const readerSaw = watch(reader);
      for (const path of [articleUrl, '/', `/@${name}`]) {
        for (const visitor of [page, reader]) {
          await visitor.goto(path);
          if (javaScriptEnabled) await expect(visitor.locator('body')).toHaveAttribute('data-hydrated', 'true');
          await expect(visitor.getByText(PAYLOAD).first()).toBeVisible();
        }
      }
      await reader.goto(articleUrl);
      if (javaScriptEnabled) await expect(reader.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expect(reader).toHaveTitle(`${PAYLOAD} · Warta`);
      await expect(reader.getByRole('heading', { level: 1 })).toHaveText(PAYLOAD);
      // The payload made no element: one <title>, no script of its text.
      await expect(reader.locator('title')).toHaveCount(1);
      await expect(reader.locator('article img[onerror]')).toHaveCount(0);
      const scripts = await reader.locator('script:not([src])').allTextContents();
      expect(scripts.filter((text) => text.trim().startsWith('alert('))).toEqual([]);

      // Nothing ran, and the page's own scripts needed no exception: the
      // policy reported nothing at all.
      await reader.waitForTimeout(300);
      expect(seen.dialogs).toEqual([]);
      expect(readerSaw.dialogs).toEqual([]);
      expect(seen.policy).toEqual([]);
      expect(readerSaw.policy).toEqual([]);
    });
  });
}

test('the policy blocks a script the server did not write', async ({ page, request }) => {
  // Pages are allowed exactly the scripts their render wrote: a copy of the
  // page with one more inline script, under the same policy, runs only ours.
  const response = await request.get('/');
  const policy = response.headers()['content-security-policy'];
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  const html = (await response.text()).replace(
    '</body>',
    '<script nonce="">window.forged = true; alert("forged")</script></body>',
  );
  const seen = watch(page);
  await page.route('**/', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', headers: { 'content-security-policy': policy }, body: html }),
  );
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  expect(await page.evaluate(() => (window as unknown as { forged?: boolean }).forged)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
  expect(seen.policy.length).toBeGreaterThan(0);
});
