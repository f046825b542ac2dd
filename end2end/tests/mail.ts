import { expect, type Page } from '@playwright/test';

/** Where the SMTP server the e2e Warta sends to answers (end2end/smtp-sink.mjs). */
const sink = `http://127.0.0.1:${process.env.E2E_SMTP_HTTP_PORT ?? 3126}`;

/** A message as the sink received it, its quoted-printable soft breaks undone. */
export interface Mail {
  to: string[];
  raw: string;
  text: string;
}

/** The messages to `email` so far, oldest first. */
export async function mailboxOf(email: string): Promise<Mail[]> {
  const response = await fetch(`${sink}/messages?to=${encodeURIComponent(email)}`);
  const messages = (await response.json()) as { to: string[]; raw: string }[];
  return messages.map((message) => ({
    ...message,
    text: message.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='),
  }));
}

/** Waits (20 s at most) for a message to `email` whose text holds `words`. */
export async function mailTo(email: string, words: string): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      async () => {
        found = (await mailboxOf(email)).find((message) => message.text.includes(words));
        return found !== undefined;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return found!;
}

/** The path of the link to `page` (`reset-password`, `verify-email`) in `mail`. */
export function linkIn(mail: Mail, page: string): string {
  const match = new RegExp(`https?://[^/\\s]+((?:/id)?/${page}/[A-Za-z0-9_-]{43})`).exec(mail.text);
  expect(match, `a ${page} link in ${mail.text}`).toBeTruthy();
  return match![1];
}

/** Opens the verification link emailed to `name` and confirms it, in `page`. */
export async function verifyAddress(page: Page, name: string, javaScriptEnabled: boolean): Promise<void> {
  const mail = await mailTo(`${name}@example.org`, '/verify-email/');
  await page.goto(linkIn(mail, 'verify-email'));
  if (javaScriptEnabled) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Yes, this is my address' }).click();
  await expect(page.getByText('Your email address is verified.').first()).toBeVisible();
}
