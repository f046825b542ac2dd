import { test, expect, type Page } from '@playwright/test';

/** Fails the test on any console error or uncaught exception. */
function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test('the home page lists the latest seeded articles', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Warta');
  await expect(page.getByRole('heading', { level: 1, name: 'Latest stories' })).toBeVisible();
  const articles = page.getByRole('main').getByRole('article');
  await expect(articles).toHaveCount(20);
  // Each entry links its title to the article and names its author.
  const first = articles.first();
  await expect(first.getByRole('heading').getByRole('link')).toHaveAttribute('href', /^\/articles\/[a-z0-9-]+$/);
  await expect(first.getByRole('link').nth(1)).toHaveAttribute('href', /^\/@/);
  await expect(first.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}$/);
});

test('the page hydrates without errors and the theme switch works', async ({ page }) => {
  const errors = watchForErrors(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  const toggle = page.getByRole('button', { name: 'Dark mode' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  const paper = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await paper();

  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await paper()).not.toBe(light);

  // The choice survives a reload.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.getByRole('button', { name: 'Dark mode' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await paper()).toBe(light);
  expect(errors).toEqual([]);
});

test('dark mode follows the system setting by default', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(dark).not.toBe(light);
});

test('an unknown path shows the styled 404 page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the latest stories' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Latest stories' })).toBeVisible();
});

test('the layout fits a 360 px wide screen without horizontal scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the home page still reads', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('main').getByRole('article')).toHaveCount(20);
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  });
});

test('a reader opens an article from the home page and comes back', async ({ page }) => {
  const errors = watchForErrors(page);
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const link = page.getByRole('main').getByRole('article').first().getByRole('heading').getByRole('link');
  const title = (await link.textContent())!.trim();
  await link.click();
  await expect(page).toHaveURL(/\/articles\/[a-z0-9-]+$/);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page).toHaveTitle(`${title} · Warta`);
  await expect(page.getByText(/\d+ min read/)).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Latest stories' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('an unknown article gives the 404 page', async ({ page }) => {
  const response = await page.goto('/articles/there-is-no-such-article');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test.describe('an article with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('reads in full', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('main').getByRole('article').first().getByRole('heading').getByRole('link').click();
    await expect(page).toHaveURL(/\/articles\//);
    await expect(page.locator('.prose h2, .prose p').first()).toBeVisible();
  });
});

test('a reader opens an author page from the home page and pages through it', async ({ page }) => {
  const errors = watchForErrors(page);
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const author = page.getByRole('main').getByRole('article').first().getByRole('link').nth(1);
  const name = (await author.textContent())!.trim();
  await author.click();
  await expect(page).toHaveURL(new RegExp(`/@${name}$`));
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page).toHaveTitle(`${name} · Warta`);
  const older = page.getByRole('link', { name: 'Older stories →' });
  if (await older.count()) {
    await older.click();
    await expect(page).toHaveURL(/\?page=2$/);
    await page.getByRole('link', { name: '← Newer stories' }).click();
    await expect(page).toHaveURL(new RegExp(`/@${name}$`));
  }
  expect(errors).toEqual([]);
});

test('an unknown author gives the 404 page', async ({ page }) => {
  const response = await page.goto('/@no-such-writer-here');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

/** The number of pages the home page has, from the JSON API. */
async function homePages(page: Page): Promise<number> {
  const response = await page.request.get('/api/articles?limit=1');
  const { articlesCount } = await response.json();
  return Math.ceil(articlesCount / 20);
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`paging the home page with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('forward, to a numbered page, to the last page and back', async ({ page }) => {
      const errors = watchForErrors(page);
      const pages = await homePages(page);
      expect(pages).toBeGreaterThan(5);
      await page.goto('/');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      const firstTitle = page.getByRole('main').getByRole('article').first().getByRole('heading');
      const pageOneTop = (await firstTitle.textContent())!.trim();

      await page.getByRole('link', { name: 'Older stories →' }).click();
      await expect(page).toHaveURL(/\/\?page=2$/);
      await expect(page.getByRole('heading', { level: 1 })).toContainText('page 2');
      await expect(page.getByRole('main').getByRole('article')).toHaveCount(20);
      await expect(firstTitle).not.toHaveText(pageOneTop);
      await expect(page).toHaveTitle('Latest stories, page 2 · Warta');

      await page.getByRole('link', { name: 'Page 4' }).click();
      await expect(page).toHaveURL(/\/\?page=4$/);
      await expect(page.getByRole('navigation', { name: 'Pages' }).locator('[aria-current="page"]')).toHaveText('4');

      await page.getByRole('link', { name: `Page ${pages}` }).click();
      await expect(page).toHaveURL(new RegExp(`/\\?page=${pages}$`));
      await expect(page.getByRole('link', { name: 'Older stories →' })).toHaveCount(0);

      await page.getByRole('link', { name: '← Newer stories' }).click();
      await expect(page).toHaveURL(new RegExp(`/\\?page=${pages - 1}$`));
      await page.getByRole('link', { name: 'Page 1', exact: true }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(firstTitle).toHaveText(pageOneTop);
      expect(errors).toEqual([]);
    });

    test('popular ranks by views, with week and month tabs', async ({ page }) => {
      const errors = watchForErrors(page);
      await page.goto('/');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Popular' }).click();
      await expect(page).toHaveURL(/\/popular$/);
      await expect(page.getByRole('heading', { level: 1, name: 'Popular' })).toBeVisible();
      const articles = page.getByRole('main').getByRole('article');
      await expect(articles).toHaveCount(10);
      const views = (await page.locator('.views').allTextContents()).map((text) => Number(text.replace(/\D/g, '')));
      expect(views).toEqual([...views].sort((a, b) => b - a));

      await page.getByRole('link', { name: 'This month' }).click();
      await expect(page).toHaveURL(/\/popular\?period=month$/);
      await expect(page.getByRole('link', { name: 'This month' })).toHaveAttribute('aria-current', 'page');
      await expect(page).toHaveTitle('Popular this month · Warta');
      expect(errors).toEqual([]);
    });

    test('opening an article counts a view through its pixel', async ({ page }) => {
      const pixel = page.waitForResponse(/\/articles\/[^/]+\/view\.gif$/);
      await page.goto('/popular');
      await page.getByRole('main').getByRole('article').first().getByRole('heading').getByRole('link').click();
      await expect(page).toHaveURL(/\/articles\/[a-z0-9-]+$/);
      const response = await pixel;
      expect(response.status()).toBe(200);
      expect(response.headers()['cache-control']).toBe('no-store');
    });
  });
}
