-- Tokens for the JSON API (`Authorization: Token …`): opaque random
-- strings handed out at sign-in. Only their SHA-256 is stored, so a copy of
-- this table yields no usable token; deleting a row revokes one.
CREATE TABLE api_tokens (
    token_hash bytea       PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
