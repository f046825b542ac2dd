import { test, expect, type Page } from '@playwright/test';
import { freshName } from './helpers';
import { linkIn, mailTo } from './mail';

/** The words each language's pages use, as a reader sees them. */
const words = {
  en: {
    prefix: '',
    username: 'Username',
    email: 'Email',
    password: 'Password',
    register: 'Create account',
    signOut: 'Sign out',
    signIn: 'Sign in',
    forgot: 'Forgot your password?',
    send: 'Send the link',
    sent: 'If an account has that address',
    newPassword: 'New password',
    setPassword: 'Set the password',
    tooEasy: 'Password is too easy to guess',
    changed: 'Your password has been changed',
    resetSubject: 'Set a new Warta password',
    unverified: 'is not verified yet',
    confirm: 'Yes, this is my address',
    verified: 'Your email address is verified.',
    deadLink: 'This link no longer works',
  },
  id: {
    prefix: '/id',
    username: 'Nama pengguna',
    email: 'Email',
    password: 'Kata sandi',
    register: 'Buat akun',
    signOut: 'Keluar',
    signIn: 'Masuk',
    forgot: 'Lupa kata sandi?',
    send: 'Kirim tautan',
    sent: 'Jika ada akun dengan alamat itu',
    newPassword: 'Kata sandi baru',
    setPassword: 'Simpan kata sandi',
    tooEasy: 'Kata sandi terlalu mudah ditebak',
    changed: 'Kata sandi Anda telah diganti',
    resetSubject: 'Buat kata sandi Warta baru',
    unverified: 'belum terverifikasi',
    confirm: 'Ya, ini alamat saya',
    verified: 'Alamat email Anda telah terverifikasi.',
    deadLink: 'Tautan ini sudah tidak berlaku',
  },
};
type Words = (typeof words)['en'];

async function hydrated(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Registers a new reader on the page of `w`'s language; returns the name. */
async function register(page: Page, w: Words, javaScriptEnabled: boolean): Promise<string> {
  const name = freshName('keeper');
  await page.goto(`${w.prefix}/register`);
  await hydrated(page, javaScriptEnabled);
  await page.getByLabel(w.username, { exact: true }).fill(name);
  await page.getByLabel(w.email, { exact: true }).fill(`${name}@example.org`);
  await page.getByLabel(w.password, { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: w.register }).click();
  await expect(page.getByTestId('signed-in-as')).toHaveText(name);
  return name;
}

for (const javaScriptEnabled of [true, false]) {
  for (const [language, w] of Object.entries(words)) {
    test.describe(`recovery in ${language}, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
      test.use({ javaScriptEnabled });

      test('a reader who forgot their password sets a new one from the emailed link', async ({ page }) => {
        const name = await register(page, w, javaScriptEnabled);
        await page.getByRole('button', { name: w.signOut }).click();
        await expect(page.getByTestId('signed-in-as')).toHaveCount(0);

        await page.goto(`${w.prefix}/login`);
        await hydrated(page, javaScriptEnabled);
        await page.getByRole('link', { name: w.forgot }).click();
        await expect(page).toHaveURL(new RegExp(`${w.prefix}/forgot-password$`));
        await hydrated(page, javaScriptEnabled);
        await page.getByLabel(w.email, { exact: true }).fill(`${name}@example.org`);
        await page.getByRole('button', { name: w.send }).click();
        await expect(page.getByTestId('reset-sent')).toContainText(w.sent);

        // The email arrives through SMTP, in the page's language.
        const mail = await mailTo(`${name}@example.org`, w.resetSubject);
        const link = linkIn(mail, 'reset-password');
        expect(link.startsWith(`${w.prefix}/reset-password/`)).toBe(true);
        await page.goto(link);
        await hydrated(page, javaScriptEnabled);
        await page.getByLabel(w.newPassword, { exact: true }).fill('password123');
        await page.getByRole('button', { name: w.setPassword }).click();
        await expect(page.getByText(w.tooEasy)).toBeVisible();
        await page.getByLabel(w.newPassword, { exact: true }).fill('a kettle on the hob');
        await page.getByRole('button', { name: w.setPassword }).click();
        await expect(page.getByRole('status')).toContainText(w.changed);

        // The new password signs in; the link works once.
        await hydrated(page, javaScriptEnabled);
        await page.getByLabel(w.email, { exact: true }).fill(`${name}@example.org`);
        await page.getByLabel(w.password, { exact: true }).fill('a kettle on the hob');
        await page.getByRole('button', { name: w.signIn, exact: true }).click();
        await expect(page.getByTestId('signed-in-as')).toHaveText(name);
        await page.goto(link);
        await expect(page.getByTestId('dead-link')).toContainText(w.deadLink);
      });

      test('a new reader verifies their address from the emailed link', async ({ page }) => {
        const name = await register(page, w, javaScriptEnabled);
        await page.goto(`${w.prefix}/settings`);
        await expect(page.getByTestId('address-state')).toContainText(w.unverified);

        const mail = await mailTo(`${name}@example.org`, '/verify-email/');
        const link = linkIn(mail, 'verify-email');
        expect(link.startsWith(`${w.prefix}/verify-email/`)).toBe(true);
        await page.goto(link);
        await hydrated(page, javaScriptEnabled);
        await page.getByRole('button', { name: w.confirm }).click();
        await expect(page).toHaveURL(new RegExp(`${w.prefix}/settings\\?verified=1$`));
        await expect(page.getByText(w.verified).first()).toBeVisible();
        await expect(page.getByTestId('address-state')).not.toContainText(w.unverified);
      });
    });
  }
}
