-- Each account's session generation. A browser session records the
-- generation it was started in and ends on its next request once the
-- account has moved on: changing the email or password, or "sign out
-- everywhere", starts a new generation (and deletes the API tokens), so
-- every other session ends at once. A constant default: no table rewrite.
ALTER TABLE users ADD COLUMN session_generation bigint NOT NULL DEFAULT 0;
