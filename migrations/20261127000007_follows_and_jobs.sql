-- Following, the background job queue, and the record of notifications sent.

-- A reader following an author. `notify` is whether they get an email when
-- the author publishes: the unsubscribe link clears it and keeps the follow
-- (the reader still sees the author under "Following").
CREATE TABLE follows (
    follower_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    author_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notify      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (follower_id, author_id),
    CONSTRAINT follows_not_self CHECK (follower_id <> author_id)
);
-- Fan-out: an author's followers to email, in follower order (the cursor).
CREATE INDEX follows_author_idx ON follows (author_id, follower_id) WHERE notify;

-- The job queue. Workers claim ready jobs with FOR UPDATE SKIP LOCKED and
-- hold a lease (`locked_until`) that they extend while they work; a job
-- whose lease ran out (its worker died) is claimed again. Finished jobs
-- are deleted; a job that failed `max_attempts` times stays as `dead`
-- until `warta jobs retry` or `warta jobs discard`.
CREATE TABLE jobs (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text        NOT NULL,
    payload      jsonb       NOT NULL DEFAULT '{}',
    state        text        NOT NULL DEFAULT 'queued',
    attempts     integer     NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL DEFAULT 10,
    run_at       timestamptz NOT NULL DEFAULT now(),
    locked_by    text,
    locked_until timestamptz,
    -- A new token at every claim; every later update of the job names it,
    -- so a holder whose lease ran out (and the job was claimed again) can
    -- no longer extend, complete, fail or release it.
    lock_token   uuid,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_state_known CHECK (state IN ('queued', 'running', 'dead')),
    CONSTRAINT jobs_attempts_bounded CHECK (attempts >= 0 AND max_attempts >= 1),
    CONSTRAINT jobs_running_has_lease CHECK (state <> 'running' OR locked_until IS NOT NULL)
);
CREATE INDEX jobs_ready_idx ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_dead_idx ON jobs (id) WHERE state = 'dead';

-- Wakes idle workers (LISTEN warta_jobs) when jobs arrive. NOTIFY is
-- transactional: it is delivered at commit, never for a rolled-back
-- insert, and once per statement, not per row.
CREATE FUNCTION jobs_wake_workers() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('warta_jobs', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_wake_workers AFTER INSERT ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_wake_workers();

-- One row per (article, recipient) a notification is owed to: the key that
-- makes a retry, a second worker or a second publish send nothing twice.
-- `sent_at` is set the moment the mail server has accepted the message;
-- `refused` holds the mail server's answer when it refused it for good
-- (no such mailbox), so it is not tried again.
CREATE TABLE notifications (
    article_id   bigint      NOT NULL,
    recipient_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    refused      text,
    -- The claim (`jobs.lock_token`) of the job sending this email, so two
    -- sending jobs that cover the same reader (an article published twice
    -- at once) send once. The claim lasts while that job's lease does:
    -- however slow the mail server, and no longer than its worker lives.
    claimed_by   uuid,
    PRIMARY KEY (article_id, recipient_id)
);
