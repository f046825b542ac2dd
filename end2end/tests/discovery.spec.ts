import { test, expect } from '@playwright/test';
import { freshName, publish, signUp } from './helpers';

for (const javaScriptEnabled of [true, false]) {
  test.describe(`tags and favorites with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('a reader follows a tag to its page and saves an article with the heart', async ({ page, browser, baseURL }) => {
      await signUp(page, javaScriptEnabled, 'tagger');
      const tag = freshName('tag');
      const title = `Looms and ${tag}`;
      await publish(page, javaScriptEnabled, title, undefined, `${tag}, weaving`);

      // The article's tags are links to their pages.
      await page.getByRole('list', { name: 'Tags' }).getByRole('link', { name: tag, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/tags/${tag}$`));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${tag}`);
      await expect(page.getByRole('link', { name: title })).toBeVisible();

      // Another reader saves it from the article page.
      const readerContext = await browser.newContext({ baseURL, javaScriptEnabled });
      const reader = await readerContext.newPage();
      const name = await signUp(reader, javaScriptEnabled, 'saver');
      await reader.goto(`/tags/${tag}`);
      await reader.getByRole('link', { name: title }).click();
      await expect(reader.getByRole('heading', { level: 1, name: title })).toBeVisible();
      if (javaScriptEnabled) await expect(reader.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await reader.evaluate(() => ((window as unknown as { stayed?: number }).stayed = 1));
      await reader.getByRole('button', { name: 'Favorite (0 favorites)' }).click();
      const saved = reader.getByRole('button', { name: 'Unfavorite (1 favorite)' });
      await expect(saved).toBeVisible();
      await expect(saved).toHaveAttribute('aria-pressed', 'true');
      // With JavaScript it saves in place; without, the page comes back.
      expect(await reader.evaluate(() => (window as unknown as { stayed?: number }).stayed)).toBe(
        javaScriptEnabled ? 1 : undefined,
      );

      // The reader's profile lists what they saved.
      await reader.goto(`/@${name}`);
      await reader.getByRole('navigation', { name: 'Lists' }).getByRole('link', { name: 'Favorites' }).click();
      await expect(reader).toHaveURL(new RegExp(`/@${name}/favorites$`));
      await expect(reader.getByRole('link', { name: title })).toBeVisible();

      // Unsaving takes it back out.
      await reader.getByRole('link', { name: title }).click();
      await reader.getByRole('button', { name: 'Unfavorite (1 favorite)' }).click();
      await expect(reader.getByRole('button', { name: 'Favorite (0 favorites)' })).toBeVisible();
      await reader.goto(`/@${name}/favorites`);
      await expect(reader.getByText(`${name} has not saved any stories yet.`)).toBeVisible();
      await readerContext.close();

      // Signed out, the heart asks the reader to sign in first.
      const stranger = await browser.newPage({ baseURL, javaScriptEnabled });
      await stranger.goto(`/tags/${tag}`);
      await stranger.getByRole('link', { name: title }).click();
      await stranger.getByRole('link', { name: 'Sign in to favorite (0 favorites)' }).click();
      await expect(stranger).toHaveURL(/\/login\?next=\/articles\//);
      await stranger.close();
    });

    test('a reader searches from the header and opens a result', async ({ page }) => {
      await signUp(page, javaScriptEnabled, 'searcher');
      const word = freshName('rare').replace(/_/g, '');
      const title = `Notes on ${word}`;
      await publish(page, javaScriptEnabled, title);

      await page.goto('/');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search', exact: true }).click();
      await expect(page).toHaveURL(/\/search$/);
      await page.getByRole('searchbox', { name: 'Search stories' }).fill(word);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/search\\?q=${word}$`));
      const results = page.getByTestId('results');
      await expect(results.getByRole('link', { name: title })).toBeVisible();
      await expect(page.getByTestId('result-count')).toHaveText('1 story');
      await results.getByRole('link', { name: title }).click();
      await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();

      await page.goto(`/search?q=${word}zzz`);
      await expect(page.getByTestId('no-results')).toBeVisible();
    });

    test('a reader comments under an article and deletes the comment', async ({ page, browser, baseURL }) => {
      await signUp(page, javaScriptEnabled, 'author');
      const title = `Talk about ${freshName('topic')}`;
      const url = await publish(page, javaScriptEnabled, title);

      const readerContext = await browser.newContext({ baseURL, javaScriptEnabled });
      const reader = await readerContext.newPage();
      const name = await signUp(reader, javaScriptEnabled, 'commenter');
      await reader.goto(url);
      if (javaScriptEnabled) await expect(reader.locator('body')).toHaveAttribute('data-hydrated', 'true');
      const comments = reader.getByRole('region', { name: 'Comments' });
      await expect(comments.getByText('No comments yet.')).toBeVisible();

      // A blank comment is refused with a message; then a real one.
      await comments.getByLabel('Your comment').fill('   ');
      await comments.getByRole('button', { name: 'Post comment' }).click();
      await expect(reader.getByText("Body can't be blank")).toBeVisible();
      const text = `Well argued, <b>truly</b> ${freshName('c')}`;
      await reader.getByLabel('Your comment').fill(text);
      await reader.getByRole('button', { name: 'Post comment' }).click();
      const list = reader.getByTestId('comments');
      await expect(list.getByText(text)).toBeVisible();
      await expect(list.getByRole('link', { name, exact: true })).toBeVisible();
      await expect(reader.getByLabel('Your comment')).toHaveValue('');

      // The article's author sees it too, and may hide or delete it (the
      // moderation spec hides one); the commenter deletes their own here.
      await page.goto(url);
      await expect(page.getByTestId('comments').getByText(text)).toBeVisible();
      await expect(page.getByTestId('comments').getByRole('button', { name: 'Hide', exact: true })).toBeVisible();
      await expect(page.getByTestId('comments').getByRole('button', { name: 'Delete comment' })).toBeVisible();
      await expect(reader.getByTestId('comments').getByRole('button', { name: 'Hide', exact: true })).toHaveCount(0);

      await reader.getByRole('button', { name: 'Delete comment' }).click();
      await expect(reader.getByText('No comments yet.')).toBeVisible();
      await readerContext.close();
    });
  });
}

test('the home page lists popular tags that lead to their pages', async ({ page }) => {
  await page.goto('/');
  const tags = page.getByTestId('popular-tags');
  await expect(tags.getByRole('heading', { name: 'Popular tags' })).toBeVisible();
  const first = tags.getByRole('link').first();
  const name = (await first.textContent())!.trim();
  await first.click();
  await expect(page).toHaveURL(new RegExp(`/tags/${encodeURIComponent(name)}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${name}`);
  await expect(page.getByRole('list', { name: 'Tags' }).first().getByRole('link', { name, exact: true })).toBeVisible();
});
