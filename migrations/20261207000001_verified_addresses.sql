-- Verified addresses. Until an account's address is verified, Warta sends
-- it nothing but verification and password reset links.
--
-- Accounts from before this migration keep receiving what they received:
-- they are added as verified (a constant default is stored once in the
-- catalogue, so no row is rewritten), and only then does the default become
-- "not verified" for accounts registered from now on.
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT true;
ALTER TABLE users ALTER COLUMN email_verified SET DEFAULT false;

-- An email change waiting for its new address to be verified: the account
-- keeps signing in (and being written to) at `email` until then.
ALTER TABLE users ADD COLUMN pending_email text;
ALTER TABLE users ADD CONSTRAINT users_pending_email_length
    CHECK (char_length(pending_email) BETWEEN 3 AND 254) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_pending_email_length;
