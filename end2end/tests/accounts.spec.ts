import { test, expect, type Page } from '@playwright/test';
import { freshName, signUp } from './helpers';

async function fill(page: Page, fields: Record<string, string>) {
  for (const [label, value] of Object.entries(fields)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`accounts with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('a new reader registers, signs out and signs back in', async ({ page }) => {
      const name = freshName('reader');
      const email = `${name}@example.org`;
      const password = 'correct horse battery';
      await page.goto('/');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Register' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Create an account' })).toBeVisible();
      await fill(page, { Username: name, Email: email, Password: password });
      await page.getByRole('button', { name: 'Create account' }).click();

      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByTestId('signed-in-as')).toHaveText(name);
      const cookie = (await page.context().cookies()).find((c) => c.name === 'warta_session');
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Lax');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
      await expect(page.getByTestId('signed-in-as')).toHaveCount(0);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).click();
      await fill(page, { Email: email.toUpperCase(), Password: 'wrong password' });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toHaveText('That email and password do not match an account.');
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email.toUpperCase());

      await fill(page, { Password: password });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByTestId('signed-in-as')).toHaveText(name);
    });

    test('settings change the bio, shown on the author page', async ({ page }) => {
      const name = freshName('reader');
      await page.goto('/register');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await fill(page, { Username: name, Email: `${name}@example.org`, Password: 'correct horse battery' });
      await page.getByRole('button', { name: 'Create account' }).click();
      await expect(page.getByTestId('signed-in-as')).toHaveText(name);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue(`${name}@example.org`);
      await page.getByLabel('Bio', { exact: true }).fill('I write about trains.');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect(page.getByRole('status')).toHaveText('Your settings are saved.');

      await page.getByTestId('signed-in-as').click();
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect(page.getByText('I write about trains.')).toBeVisible();
    });

    test('a new password takes the current one and signs every other browser out', async ({ page, browser, baseURL }) => {
      const name = await signUp(page, javaScriptEnabled, 'keys');
      const other = await browser.newPage({ baseURL, javaScriptEnabled });
      const signIn = async (password: string) => {
        await other.goto('/login');
        if (javaScriptEnabled) await expect(other.locator('body')).toHaveAttribute('data-hydrated', 'true');
        await fill(other, { Email: `${name}@example.org`, Password: password });
        await other.getByRole('button', { name: 'Sign in' }).click();
        await expect(other.getByTestId('signed-in-as')).toHaveText(name);
      };
      await signIn('correct horse battery');

      await page.goto('/settings');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await fill(page, { 'New password': 'a brand new phrase' });
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect(page.getByText('Current password is needed to change your email or password')).toBeVisible();
      await expect(page.getByLabel('Current password', { exact: true })).toHaveAttribute('aria-invalid', 'true');

      await fill(page, { 'New password': 'a brand new phrase', 'Current password': 'correct horse battery' });
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect(page.getByRole('status')).toHaveText('Your settings are saved.');

      // The other browser's session ended; this one goes on.
      await other.reload();
      await expect(other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
      await page.reload();
      await expect(page.getByTestId('signed-in-as')).toHaveText(name);

      // "Sign out everywhere else" ends it again, without a change.
      await signIn('a brand new phrase');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await fill(page, { 'Your password': 'a brand new phrase' });
      await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await expect(page.getByRole('status')).toHaveText('Every other session and API token of your account has ended.');
      await other.reload();
      await expect(other.getByTestId('signed-in-as')).toHaveCount(0);
      await page.reload();
      await expect(page.getByTestId('signed-in-as')).toHaveText(name);
    });

    test('a refused registration explains each field and keeps what was typed', async ({ page }) => {
      await page.goto('/register');
      if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      // The browser's own checks would stop the bad values before the server sees them.
      await page.locator('form').evaluate((form) => form.setAttribute('novalidate', ''));
      await fill(page, { Username: 'not valid!', Email: 'nobody@nowhere', Password: 'short' });
      await page.getByRole('button', { name: 'Create account' }).click();

      await expect(page.getByText('Username may contain only letters, digits, _ and -')).toBeVisible();
      await expect(page.getByText('Email is not an email address')).toBeVisible();
      await expect(page.getByText('Password is too short (at least 8 characters)')).toBeVisible();
      await expect(page.getByLabel('Username', { exact: true })).toHaveValue('not valid!');
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue('nobody@nowhere');
      await expect(page.getByLabel('Username', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    });
  });
}
