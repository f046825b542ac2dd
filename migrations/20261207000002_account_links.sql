-- Links sent by email that act on an account without a password: a
-- password reset, or the verification of an address. The link holds a
-- random token of 256 bits; only its SHA-256 is stored, so a copy of this
-- table opens nothing. An account has at most one link per purpose: a newer
-- one replaces the older (the primary key), using one deletes it, and a
-- password change deletes the account's reset link.
CREATE TABLE account_links (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('reset', 'verify')),
    token_hash bytea       NOT NULL UNIQUE,
    -- The address the link was sent to: a verification link proves this
    -- one, and goes stale if the account's address has changed since.
    email      text        NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, purpose)
);
CREATE INDEX account_links_expiry ON account_links (expires_at);

-- API tokens past their expiry are deleted by a daily task; this finds
-- them without reading the table.
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);
