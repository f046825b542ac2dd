import { execFileSync } from 'node:child_process';
import { test, expect, type Page } from '@playwright/test';
import { publish, signUp } from './helpers';

/** The words each language's moderation pages use. */
const words = {
  en: {
    prefix: '',
    report: 'Report',
    spam: 'Spam or advertising',
    note: 'Anything the moderators should know (optional)',
    send: 'Send report',
    received: 'Your report was received',
    action: 'Action',
    hideComment: 'Hide the comment',
    reason: 'Reason',
    apply: 'Apply',
    find: 'Find an account',
    findButton: 'Find',
    suspend: 'Suspend the account',
    unsuspend: 'Restore the account',
    restore: 'Restore',
    suspended: 'Suspended on',
    hidComment: 'hid the comment',
    suspendedAccount: 'suspended the account',
  },
  id: {
    prefix: '/id',
    report: 'Laporkan',
    spam: 'Spam atau iklan',
    note: 'Hal yang perlu diketahui moderator (opsional)',
    send: 'Kirim laporan',
    received: 'Laporan Anda sudah diterima',
    action: 'Tindakan',
    hideComment: 'Sembunyikan komentar',
    reason: 'Alasan',
    apply: 'Terapkan',
    find: 'Cari akun',
    findButton: 'Cari',
    suspend: 'Tangguhkan akun',
    unsuspend: 'Pulihkan akun',
    restore: 'Pulihkan',
    suspended: 'Ditangguhkan pada',
    hidComment: 'menyembunyikan komentar',
    suspendedAccount: 'menangguhkan akun',
  },
};

async function hydrated(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Makes `name` a moderator, as an operator does: `warta admin grant`. */
function grantModerator(name: string) {
  execFileSync('target/release/warta', ['admin', 'grant', name, 'moderator', '--reason', 'end-to-end test'], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL ?? '', RUST_LOG: 'warn' },
    stdio: 'pipe',
  });
}

for (const javaScriptEnabled of [true, false]) {
  for (const [language, w] of Object.entries(words)) {
    test.describe(`moderation in ${language}, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
      test.use({ javaScriptEnabled });

      test('a report reaches a moderator, who hides the comment, suspends its writer and restores both', async ({
        page,
        browser,
        baseURL,
      }) => {
        // An author's article, and a spammer's article and comment under it.
        const author = await signUp(page, javaScriptEnabled, 'author');
        const articleUrl = await publish(page, javaScriptEnabled, `Quiet thoughts ${author}`);
        const articlePath = new URL(articleUrl).pathname;
        const spammerContext = await browser.newContext({ baseURL, javaScriptEnabled });
        const spammerPage = await spammerContext.newPage();
        const spammer = await signUp(spammerPage, javaScriptEnabled, 'spammer');
        const spamTitle = `Cheap watches ${spammer}`;
        const spamUrl = new URL(await publish(spammerPage, javaScriptEnabled, spamTitle)).pathname;
        const spam = `Buy watches from ${spammer}`;
        await spammerPage.goto(articlePath);
        await hydrated(spammerPage, javaScriptEnabled);
        await spammerPage.getByLabel('Your comment').fill(spam);
        await spammerPage.getByRole('button', { name: 'Post comment' }).click();
        await expect(spammerPage.getByTestId('comments')).toContainText(spam);

        // A reader reports the comment, in their language.
        const readerContext = await browser.newContext({ baseURL, javaScriptEnabled });
        const reader = await readerContext.newPage();
        await signUp(reader, javaScriptEnabled, 'reader');
        await reader.goto(`${w.prefix}${articlePath}`);
        await hydrated(reader, javaScriptEnabled);
        const comment = reader.getByTestId('comments').getByRole('listitem').filter({ hasText: spam });
        await comment.getByRole('link', { name: w.report, exact: true }).click();
        await hydrated(reader, javaScriptEnabled);
        await expect(reader.getByText(spam)).toBeVisible();
        await reader.getByLabel(w.spam).check();
        await reader.getByLabel(w.note).fill('Same message under every article');
        await reader.getByRole('button', { name: w.send }).click();
        await expect(reader.getByTestId('report-received')).toContainText(w.received);

        // A moderator finds it in the queue and hides it, with a reason.
        const moderatorContext = await browser.newContext({ baseURL, javaScriptEnabled });
        const moderator = await moderatorContext.newPage();
        const moderatorName = await signUp(moderator, javaScriptEnabled, 'mod');
        grantModerator(moderatorName);
        await moderator.goto(`${w.prefix}/moderation`);
        await hydrated(moderator, javaScriptEnabled);
        const item = moderator.getByTestId('queue-item').filter({ hasText: spam });
        await expect(item).toContainText('Same message under every article');
        await item.getByLabel(w.action).selectOption({ label: w.hideComment });
        await item.getByLabel(w.reason).fill('Advertising');
        await item.getByRole('button', { name: w.apply }).click();
        await expect(moderator.getByTestId('queue-item').filter({ hasText: spam })).toHaveCount(0);

        // Then suspends its writer from the account's page.
        await moderator.getByLabel(w.find).fill(spammer);
        await moderator.getByRole('button', { name: w.findButton, exact: true }).click();
        await hydrated(moderator, javaScriptEnabled);
        const suspendForm = moderator.getByTestId('suspend-form');
        await suspendForm.getByLabel(w.reason).fill('Spam in every thread');
        await suspendForm.getByRole('button', { name: w.suspend }).click();
        await expect(moderator.getByTestId('account-state')).toContainText(w.suspended);
        await expect(moderator.getByTestId('history')).toContainText(w.suspendedAccount);
        await expect(moderator.getByTestId('history')).toContainText(w.hidComment);

        // An anonymous reader sees none of the spammer's writing.
        const anonymous = await browser.newPage({ baseURL, javaScriptEnabled });
        await anonymous.goto(`${w.prefix}${articlePath}`);
        await hydrated(anonymous, javaScriptEnabled);
        await expect(anonymous.getByRole('heading', { level: 1 })).toContainText('Quiet thoughts');
        await expect(anonymous.getByText(spam)).toHaveCount(0);
        expect((await anonymous.goto(`${w.prefix}${spamUrl}`))?.status()).toBe(404);
        expect((await anonymous.goto(`${w.prefix}/@${spammer}`))?.status()).toBe(404);
        await anonymous.goto(w.prefix || '/');
        await expect(anonymous.getByRole('link', { name: spamTitle })).toHaveCount(0);
        // Searching for the spammer's own name finds none of it either.
        await anonymous.goto(`${w.prefix}/search?q=${spammer}`);
        await expect(anonymous.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(anonymous.getByRole('link', { name: spamTitle })).toHaveCount(0);

        // The moderator restores the account, then the comment.
        const restoreForm = moderator.getByTestId('suspend-form');
        await restoreForm.getByLabel(w.reason).fill('Appeal accepted');
        await restoreForm.getByRole('button', { name: w.unsuspend }).click();
        await expect(moderator.getByTestId('account-state')).not.toContainText(w.suspended);
        const hidden = moderator.getByTestId('restore-form');
        await hidden.getByLabel(w.reason).fill('Not spam after all');
        await hidden.getByRole('button', { name: w.restore, exact: true }).click();
        await expect(moderator.getByTestId('restore-form')).toHaveCount(0);

        // Everything is back for the anonymous reader.
        expect((await anonymous.goto(`${w.prefix}${spamUrl}`))?.status()).toBe(200);
        await expect(anonymous.getByRole('heading', { level: 1 })).toHaveText(spamTitle);
        await anonymous.goto(`${w.prefix}${articlePath}`);
        await expect(anonymous.getByText(spam)).toBeVisible();
        await anonymous.goto(w.prefix || '/');
        await expect(anonymous.getByRole('link', { name: spamTitle })).toBeVisible();
        // (Another query: the first one's answer may still be cached.)
        await anonymous.goto(`${w.prefix}/search?q=watches+${spammer}`);
        await expect(anonymous.getByRole('link', { name: spamTitle })).toBeVisible();

        await Promise.all([spammerContext.close(), readerContext.close(), moderatorContext.close(), anonymous.close()]);
      });
    });
  }
}
