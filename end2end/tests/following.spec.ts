import { test, expect } from '@playwright/test';
import { png, publish, signUp } from './helpers';
import { mailTo, verifyAddress } from './mail';

for (const javaScriptEnabled of [true, false]) {
  test.describe(`following with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('a reader follows an author, gets the email, unsubscribes, and unfollows', async ({ page, browser, baseURL }) => {
      const author = await signUp(page, javaScriptEnabled, 'writer');
      const first = `First light ${author}`;
      await publish(page, javaScriptEnabled, first);

      const readerContext = await browser.newContext({ baseURL, javaScriptEnabled });
      const reader = await readerContext.newPage();
      const name = await signUp(reader, javaScriptEnabled, 'reader');
      // Warta emails only a verified address: the reader opens the link
      // that registering sent.
      await verifyAddress(reader, name, javaScriptEnabled);
      await reader.goto(`/@${author}`);
      if (javaScriptEnabled) await expect(reader.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await reader.evaluate(() => ((window as unknown as { stayed?: number }).stayed = 1));
      await reader.getByRole('button', { name: `Follow ${author}`, exact: true }).click();
      await expect(reader.getByRole('button', { name: `Unfollow ${author}`, exact: true })).toBeVisible();
      // With JavaScript it follows in place; without, the page comes back.
      expect(await reader.evaluate(() => (window as unknown as { stayed?: number }).stayed)).toBe(
        javaScriptEnabled ? 1 : undefined,
      );

      await reader.goto('/');
      await reader.getByRole('navigation', { name: 'Listings' }).getByRole('link', { name: 'Following' }).click();
      await expect(reader).toHaveURL(/\/following$/);
      await expect(reader.getByRole('link', { name: first })).toBeVisible();

      // The author publishes again: the reader's email arrives.
      const second = `Second light ${author}`;
      await publish(page, javaScriptEnabled, second);
      const mail = (await mailTo(`${name}@example.org`, second)).raw;
      expect(mail).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      const unsubscribe = /^List-Unsubscribe: <([^>]+)>/m.exec(mail)?.[1];
      expect(unsubscribe).toBeTruthy();

      // The link in the email: one button, no sign-in needed.
      const stranger = await browser.newPage({ baseURL, javaScriptEnabled });
      await stranger.goto(unsubscribe!);
      await stranger.getByRole('button', { name: 'Unsubscribe' }).click();
      await expect(stranger.getByTestId('unsubscribed')).toContainText(`no longer get an email when ${author} publishes`);

      // Still following (the feed is unchanged); unfollow from an article.
      await reader.goto('/following');
      await expect(reader.getByRole('link', { name: second })).toBeVisible();
      await reader.getByRole('link', { name: second }).click();
      if (javaScriptEnabled) await expect(reader.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await reader.getByRole('button', { name: `Unfollow ${author}`, exact: true }).click();
      await expect(reader.getByRole('button', { name: `Follow ${author}`, exact: true })).toHaveAttribute('aria-pressed', 'false');
      await reader.goto('/following');
      await expect(reader.getByRole('link', { name: second })).toHaveCount(0);
      await readerContext.close();
    });

    test('a cover image shows on the article, then in three sizes', async ({ page }) => {
      const author = await signUp(page, javaScriptEnabled, 'painter');
      await publish(page, javaScriptEnabled, `A wide view ${author}`, png(1600, 900));
      const cover = page.getByTestId('cover');
      await expect(cover).toBeVisible();
      await expect
        .poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
        .toBe(true);
      // The copies are made in the background; a reload then offers them.
      await expect
        .poll(
          async () => {
            await page.reload();
            return (await page.getByTestId('cover').getAttribute('srcset')) ?? '';
          },
          { timeout: 30_000 },
        )
        .toMatch(/320\.webp 320w, .*768\.webp 768w, .*1280\.webp 1280w/);
      await expect
        .poll(() => page.getByTestId('cover').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
        .toBe(true);
      expect(await page.getByTestId('cover').evaluate((img: HTMLImageElement) => img.currentSrc)).toMatch(/\.webp$/);
    });
  });
}
