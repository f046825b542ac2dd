-- Moderation: roles, reports, hidden articles and comments, suspended
-- accounts, blocks, and the record of every moderation action.
--
-- Hiding an article, or suspending its author, takes it out of every
-- listing the way unpublishing does: its status becomes `withheld`, and
-- the triggers that keep the listings' tables (author_publications,
-- article_tags.published_at, tag_counts) and the search index in step with
-- publishing do the rest. `published_at` is kept, so restoring it puts it
-- back where it was. Why it is withheld is kept apart (`hidden_at` on the
-- article, `suspended_at` on its author), and a trigger below keeps the
-- status agreeing with those whatever writes it: an author publishing a
-- hidden article again, or an article inserted while its author was being
-- suspended, is withheld too.

-- Roles are granted with `warta admin`, never by the account itself.
ALTER TABLE users
    ADD COLUMN role text NOT NULL DEFAULT 'reader',
    ADD COLUMN suspended_at timestamptz,
    ADD CONSTRAINT users_role_known CHECK (role IN ('reader', 'moderator', 'admin'));
-- Few accounts are ever suspended: this index is what the article trigger
-- below asks, and it stays tiny.
CREATE INDEX users_suspended_idx ON users (id) WHERE suspended_at IS NOT NULL;
CREATE INDEX users_staff_idx ON users (role) WHERE role <> 'reader';

ALTER TABLE articles ADD COLUMN hidden_at timestamptz;
ALTER TABLE articles DROP CONSTRAINT articles_status_known;
-- Wider than before, so the existing rows all pass: validated in the next
-- migration without holding off writes here.
ALTER TABLE articles ADD CONSTRAINT articles_status_known
    CHECK (status IN ('draft', 'published', 'withheld')) NOT VALID;

-- An article about to be published whose author is suspended, or that a
-- moderator hid, is withheld instead. Fires only when the status is
-- written (never for the view-count flush).
CREATE FUNCTION withhold_article() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hidden_at IS NOT NULL
       OR EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND suspended_at IS NOT NULL) THEN
        NEW.status := 'withheld';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_withheld
    BEFORE UPDATE OF status, hidden_at, user_id ON articles
    FOR EACH ROW WHEN (NEW.status = 'published')
    EXECUTE FUNCTION withhold_article();

-- Inserts, by statement (a bulk COPY is one query per batch, not one per
-- row): an article inserted by an account suspended meanwhile. Suspending
-- locks the account's row FOR UPDATE, which an insert's foreign key check
-- (FOR KEY SHARE) waits for, so this statement's fresh snapshot sees the
-- suspension; or the suspension waits for the insert, and then withholds
-- the new row with the others.
CREATE FUNCTION withhold_inserted_articles() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles a SET status = 'withheld'
    FROM inserted i
    JOIN users u ON u.id = i.user_id AND u.suspended_at IS NOT NULL
    WHERE a.id = i.id AND a.created_at = i.created_at AND a.status = 'published';
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_withheld_insert
    AFTER INSERT ON articles
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION withhold_inserted_articles();

-- A hidden comment is gone for readers; its article's author and
-- moderators see it greyed, and can restore it.
ALTER TABLE comments
    ADD COLUMN hidden_at timestamptz,
    ADD COLUMN hidden_by bigint REFERENCES users (id) ON DELETE SET NULL;

-- A reader's report of an article or a comment: once per reader per item.
-- `subject_id` is the item's author, so an account's reports can be found.
CREATE TABLE reports (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id         bigint,
    article_created_at timestamptz,
    comment_id         bigint REFERENCES comments (id) ON DELETE CASCADE,
    reason             text        NOT NULL,
    note               text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- Set when a moderator acts on the item (or dismisses its reports).
    resolved_at        timestamptz,
    resolved_by        bigint REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT reports_article_fkey FOREIGN KEY (article_id, article_created_at)
        REFERENCES articles (id, created_at) ON DELETE CASCADE,
    -- A comment's report names its article too (its page, its partition).
    CONSTRAINT reports_names_article CHECK (article_id IS NOT NULL AND article_created_at IS NOT NULL),
    CONSTRAINT reports_reason_known CHECK (reason IN ('spam', 'abuse', 'sexual', 'violence', 'other')),
    CONSTRAINT reports_note_length CHECK (char_length(note) <= 1000)
);
CREATE UNIQUE INDEX reports_once_per_article ON reports (reporter_id, article_id) WHERE comment_id IS NULL;
CREATE UNIQUE INDEX reports_once_per_comment ON reports (reporter_id, comment_id) WHERE comment_id IS NOT NULL;
-- The queue: open reports, newest first.
CREATE INDEX reports_open_idx ON reports (created_at DESC) WHERE resolved_at IS NULL;
CREATE INDEX reports_article_idx ON reports (article_id);
CREATE INDEX reports_subject_idx ON reports (subject_id);

-- Everything a moderator (or an article's author, for its comments) did,
-- with why. Kept when the item or the account is deleted: ids without
-- foreign keys, and what the item said at the time.
CREATE TABLE moderation_actions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id    bigint      REFERENCES users (id) ON DELETE SET NULL,
    action      text        NOT NULL,
    subject_id  bigint      NOT NULL,
    article_id  bigint,
    comment_id  bigint,
    -- The article's title or the comment's first words, when it was acted on.
    excerpt     text        NOT NULL DEFAULT '',
    reason      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT moderation_actions_known CHECK (action IN (
        'hide_article', 'restore_article', 'hide_comment', 'restore_comment', 'delete_comment',
        'suspend', 'unsuspend', 'dismiss', 'grant_moderator', 'revoke_moderator', 'grant_admin'
    )),
    CONSTRAINT moderation_actions_reason_length CHECK (char_length(reason) <= 500)
);
CREATE INDEX moderation_actions_subject_idx ON moderation_actions (subject_id, created_at DESC);
CREATE INDEX moderation_actions_article_idx ON moderation_actions (article_id, created_at DESC)
    WHERE article_id IS NOT NULL;
CREATE INDEX moderation_actions_comment_idx ON moderation_actions (comment_id, created_at DESC)
    WHERE comment_id IS NOT NULL;

-- A reader blocking an account: its comments are hidden for them, and it
-- can neither follow them nor comment under their articles.
CREATE TABLE blocks (
    blocker_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);
