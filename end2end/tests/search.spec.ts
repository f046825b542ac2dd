import { test, expect } from '@playwright/test';
import { signUp } from './helpers';

/** Each language's editor and search words, and a story in that language
 * whose word is found by another form of it (a plural, an affix). */
const languages = {
  en: {
    prefix: '',
    title: 'Title',
    description: 'Description',
    body: 'Body',
    language: 'Language',
    languageName: 'English',
    publish: 'Publish',
    search: 'Search stories',
    searchButton: 'Search',
    story: (word: string) => ({ title: `Fixing my bicycle ${word}`, body: `The **bicycle** needed a new chain, ${word}.` }),
    query: (word: string) => `bicycles ${word}`,
    marked: 'bicycle',
  },
  id: {
    prefix: '/id',
    title: 'Judul',
    description: 'Deskripsi',
    body: 'Isi',
    language: 'Bahasa',
    languageName: 'Bahasa Indonesia',
    publish: 'Terbitkan',
    search: 'Cari tulisan',
    searchButton: 'Cari',
    story: (word: string) => ({ title: `Pagi di jalan ${word}`, body: `Setiap pagi saya **bersepeda** ke kantor, ${word}.` }),
    query: (word: string) => `sepeda ${word}`,
    marked: 'bersepeda',
  },
};

for (const javaScriptEnabled of [true, false]) {
  for (const [code, w] of Object.entries(languages)) {
    test.describe(`search in ${code}, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
      test.use({ javaScriptEnabled });

      test('an author writes in the page language and a reader finds the story by another form of its word', async ({
        page,
        browser,
        baseURL,
      }) => {
        await signUp(page, javaScriptEnabled, 'writer');
        // A word no other story has, so the search finds this one alone.
        const word = `w${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
        const story = w.story(word);
        await page.goto(`${w.prefix}/editor`);
        if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
        // The editor starts in the page's language.
        await expect(page.getByRole('combobox', { name: w.language, exact: true }).locator('option:checked')).toHaveText(w.languageName);
        await page.getByLabel(w.title, { exact: true }).fill(story.title);
        await page.getByLabel(w.description, { exact: true }).fill('-');
        await page.getByLabel(w.body, { exact: true }).fill(story.body);
        await page.getByRole('button', { name: w.publish }).click();
        await expect(page.getByRole('heading', { level: 1, name: story.title })).toHaveAttribute('lang', code);

        const reader = await browser.newPage({ baseURL, javaScriptEnabled });
        await reader.goto(`${w.prefix}/search`);
        if (javaScriptEnabled) await expect(reader.locator('body')).toHaveAttribute('data-hydrated', 'true');
        await reader.getByLabel(w.search).fill(w.query(word));
        await reader.getByRole('button', { name: w.searchButton, exact: true }).click();
        const result = reader.getByTestId('results').getByRole('listitem');
        await expect(result).toHaveCount(1);
        await expect(result.getByRole('heading', { level: 2 })).toHaveAttribute('lang', code);
        await expect(result.getByRole('link', { name: story.title })).toBeVisible();
        // The snippet is the text a reader sees: the word marked, no Markdown.
        await expect(result.getByTestId('snippet').locator('mark').first()).toHaveText(w.marked);
        await expect(result.getByTestId('snippet')).not.toContainText('**');
        await reader.close();
      });
    });
  }
}
