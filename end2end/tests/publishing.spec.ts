import { test, expect, type Page } from '@playwright/test';
import { freshName, signUp } from './helpers';

async function write(page: Page, fields: { title: string; description?: string; body: string; tags?: string }) {
  await page.getByLabel('Title', { exact: true }).fill(fields.title);
  await page.getByLabel('Description', { exact: true }).fill(fields.description ?? '');
  await page.getByLabel('Body', { exact: true }).fill(fields.body);
  await page.getByLabel('Tags', { exact: true }).fill(fields.tags ?? '');
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

for (const javaScriptEnabled of [true, false]) {
  test.describe(`publishing with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('an author publishes, edits, fails validation, deletes and signs out', async ({ page, browser, baseURL }) => {
      const name = await signUp(page, javaScriptEnabled, 'author');
      const title = `Field notes ${name}`;

      await nav(page).getByRole('link', { name: 'Write' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'New article' })).toBeVisible();
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await write(page, {
        title,
        description: 'What I saw on the way',
        body: 'It was **bold** and <script>window.pwned = 1</script> quiet.',
        tags: 'travel, notes',
      });

      // With JavaScript, the form answers in place: this marker survives.
      await page.evaluate(() => ((window as unknown as { stayed?: number }).stayed = 1));
      await page.getByRole('button', { name: 'Preview' }).click();
      const preview = page.getByTestId('preview');
      await expect(preview.locator('strong')).toHaveText('bold');
      const stayed = await page.evaluate(() => (window as unknown as { stayed?: number }).stayed);
      expect(stayed).toBe(javaScriptEnabled ? 1 : undefined);
      await expect(preview.locator('script')).toHaveCount(0);
      await expect(page.getByLabel('Title', { exact: true })).toHaveValue(title);

      await page.getByRole('button', { name: 'Publish' }).click();
      await expect(page).toHaveURL(/\/articles\/field-notes-author-/);
      await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
      await expect(page.locator('article strong')).toHaveText('bold');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      const articleUrl = page.url();

      // Readers see it at once, on the front page and the author's page.
      const reader = await browser.newPage({ baseURL, javaScriptEnabled });
      await reader.goto('/');
      await expect(reader.getByRole('link', { name: title })).toBeVisible();
      await reader.goto(`/@${name}`);
      await expect(reader.getByRole('link', { name: title })).toBeVisible();

      await page.getByRole('link', { name: 'Edit' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Edit article' })).toBeVisible();
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expect(page.getByLabel('Tags', { exact: true })).toHaveValue('travel, notes');
      await page.getByLabel('Title', { exact: true }).fill('');
      await page.getByLabel('Body', { exact: true }).fill('A second draft I must not lose.');
      await page.evaluate(() => ((window as unknown as { stayed?: number }).stayed = 2));
      await page.getByRole('button', { name: 'Update' }).click();
      await expect(page.getByText("Title can't be blank")).toBeVisible();
      expect(await page.evaluate(() => (window as unknown as { stayed?: number }).stayed)).toBe(
        javaScriptEnabled ? 2 : undefined,
      );
      await expect(page.getByLabel('Title', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('Body', { exact: true })).toHaveValue('A second draft I must not lose.');

      await page.getByLabel('Title', { exact: true }).fill(`${title} (revised)`);
      await page.getByRole('button', { name: 'Update' }).click();
      await expect(page).toHaveURL(articleUrl);
      await expect(page.getByRole('heading', { level: 1, name: `${title} (revised)` })).toBeVisible();
      await reader.goto(articleUrl);
      await expect(reader.getByText('A second draft I must not lose.')).toBeVisible();

      await page.getByRole('link', { name: 'Delete' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Delete this article?' })).toBeVisible();
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByRole('button', { name: 'Delete for good' }).click();
      await expect(page).toHaveURL(new RegExp(`/@${name}\\?deleted=1$`));
      await expect(page.getByRole('status')).toHaveText('The article was deleted.');
      const gone = await reader.goto(articleUrl);
      expect(gone?.status()).toBe(404);
      await reader.goto('/');
      await expect(reader.getByRole('link', { name: title })).toHaveCount(0);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(nav(page).getByRole('link', { name: 'Sign in' })).toBeVisible();
      await reader.close();
    });

    test('a draft is seen by its author alone until it is published', async ({ page, browser, baseURL }) => {
      const name = await signUp(page, javaScriptEnabled, 'author');
      const title = `Unfinished ${name}`;
      await page.goto('/editor');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await write(page, { title, body: 'Half a thought.' });
      await page.getByRole('button', { name: 'Save draft' }).click();
      await expect(page.getByRole('status')).toHaveText('Draft saved. Only you can see it.');
      const slug = new URL(page.url()).pathname.replace('/editor/', '');

      await page.getByTestId('signed-in-as').click();
      await expect(page.getByTestId('drafts').getByRole('link', { name: title })).toBeVisible();

      const reader = await browser.newPage({ baseURL, javaScriptEnabled });
      expect((await reader.goto(`/articles/${slug}`))?.status()).toBe(404);
      await reader.goto(`/@${name}`);
      await expect(reader.getByText(title)).toHaveCount(0);

      await page.getByTestId('drafts').getByRole('link', { name: title }).click();
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expect(page.getByLabel('Body', { exact: true })).toHaveValue('Half a thought.');
      await page.getByRole('button', { name: 'Publish' }).click();
      await expect(page).toHaveURL(new RegExp(`/articles/${slug}$`));
      expect((await reader.goto(`/articles/${slug}`))?.status()).toBe(200);
      await reader.close();
    });

    test('writing needs an account, and others cannot edit', async ({ page, browser, baseURL }) => {
      const name = await signUp(page, javaScriptEnabled, 'author');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(nav(page).getByRole('link', { name: 'Sign in' })).toBeVisible();

      // Signed out, the editor sends you to sign in, then back to it.
      await page.goto('/editor');
      await expect(page).toHaveURL(/\/login\?next=\/editor$/);
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByLabel('Email', { exact: true }).fill(`${name}@example.org`);
      await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/editor$/);
      await expect(page.getByRole('heading', { level: 1, name: 'New article' })).toBeVisible();
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await write(page, { title: `Mine ${freshName('title')}`, body: 'Only mine.' });
      await page.getByRole('button', { name: 'Publish' }).click();
      await expect(page).toHaveURL(/\/articles\//);
      const slug = new URL(page.url()).pathname.replace('/articles/', '');

      const other = await browser.newPage({ baseURL, javaScriptEnabled });
      await signUp(other, javaScriptEnabled, 'author');
      const response = await other.goto(`/editor/${slug}`);
      expect(response?.status()).toBe(403);
      await expect(other.getByRole('heading', { level: 1, name: 'This article is not yours to edit' })).toBeVisible();
      await other.close();
    });
  });
}
