import { test, expect, type Page } from '@playwright/test';
import { freshName } from './helpers';

/** A date as Indonesians write it: "4 Mei 2026". */
const INDONESIAN_DATE = /^\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}$/;

async function hydrated(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`languages with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('a reader switches to Indonesian, reads in it, and switches back', async ({ page }) => {
      await page.goto('/popular');
      await hydrated(page, javaScriptEnabled);
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');

      await page.getByTestId('language-switch').getByRole('link', { name: 'Bahasa Indonesia' }).click();
      await expect(page).toHaveURL(/\/id\/popular$/);
      await expect(page.locator('html')).toHaveAttribute('lang', 'id');
      await hydrated(page, javaScriptEnabled);
      await expect(page.getByRole('heading', { level: 1, name: 'Populer' })).toBeVisible();

      // Links inside the Indonesian site stay in it, with and without the
      // router.
      const nav = page.getByRole('navigation', { name: 'Utama' });
      await nav.getByRole('link', { name: 'Terbaru' }).click();
      await expect(page).toHaveURL(/\/id$/);
      await expect(page.getByRole('heading', { level: 1, name: 'Tulisan terbaru' })).toBeVisible();
      const story = page.locator('main article h2 a').first();
      const title = (await story.textContent())!.trim();
      await story.click();
      await expect(page).toHaveURL(/\/id\/articles\//);
      await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
      await expect(page.locator('main time').first()).toHaveText(INDONESIAN_DATE);
      await expect(page.locator('html')).toHaveAttribute('lang', 'id');
      await expect(page.locator('link[rel="alternate"][hreflang="en"]')).toHaveAttribute('href', /\/articles\//);

      // Back to English on the same story.
      await page.getByTestId('language-switch').getByRole('link', { name: 'English' }).click();
      await expect(page).toHaveURL(/\/articles\/[^/]+$/);
      await expect(page).not.toHaveURL(/\/id\//);
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');
      await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
      await expect(page.locator('main time').first()).not.toHaveText(INDONESIAN_DATE);
    });

    test('a new reader registers in Indonesian and is answered in Indonesian', async ({ page }) => {
      const name = freshName('pembaca');
      await page.goto('/id/register');
      await hydrated(page, javaScriptEnabled);
      await expect(page.getByRole('heading', { level: 1, name: 'Buat akun' })).toBeVisible();
      await page.getByLabel('Nama pengguna', { exact: true }).fill(name);
      await page.getByLabel('Email', { exact: true }).fill(`${name}@example.org`);
      await page.getByLabel('Kata sandi', { exact: true }).fill('correct horse battery');
      await page.getByRole('button', { name: 'Buat akun' }).click();
      await expect(page).toHaveURL(/\/id$/);
      await expect(page.getByTestId('signed-in-as')).toHaveText(name);
      await expect(page.locator('html')).toHaveAttribute('lang', 'id');

      // The editor refuses an empty story in Indonesian, keeping the page.
      await page.getByRole('navigation', { name: 'Utama' }).getByRole('link', { name: 'Tulis' }).click();
      await expect(page).toHaveURL(/\/id\/editor$/);
      await hydrated(page, javaScriptEnabled);
      await page.getByLabel('Judul', { exact: true }).fill('Sebuah cerita');
      await page.getByRole('button', { name: 'Terbitkan' }).click();
      await expect(page.locator('html')).toHaveAttribute('lang', 'id');
      await expect(page.getByText('Isi tidak boleh kosong')).toBeVisible();
      await expect(page.getByLabel('Judul', { exact: true })).toHaveValue('Sebuah cerita');

      // Signing out and in again, with a wrong password first.
      await page.getByRole('button', { name: 'Keluar' }).click();
      await expect(page.getByRole('navigation', { name: 'Utama' }).getByRole('link', { name: 'Masuk' })).toBeVisible();
      await page.getByRole('navigation', { name: 'Utama' }).getByRole('link', { name: 'Masuk' }).click();
      await expect(page).toHaveURL(/\/id\/login/);
      await page.getByLabel('Email', { exact: true }).fill(`${name}@example.org`);
      await page.getByLabel('Kata sandi', { exact: true }).fill('wrong password');
      await page.getByRole('button', { name: 'Masuk' }).click();
      await expect(page.getByRole('alert')).toHaveText('Email dan kata sandi itu tidak cocok dengan akun mana pun.');
      await page.getByLabel('Kata sandi', { exact: true }).fill('correct horse battery');
      await page.getByRole('button', { name: 'Masuk' }).click();
      await expect(page).toHaveURL(/\/id$/);
      await expect(page.getByTestId('signed-in-as')).toHaveText(name);
    });
  });
}

test('a browser that prefers Indonesian arrives in Indonesian and may choose English', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, locale: 'id-ID' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page).toHaveURL(/\/id$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'id');

  await page.getByTestId('language-switch').getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // The choice holds on the way back to the front page.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Popular' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Latest' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await context.close();
});
