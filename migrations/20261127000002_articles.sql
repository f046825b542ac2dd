-- Articles, partitioned by month on created_at.
--
-- The primary key must include the partition key, so ids are unique per
-- (id, created_at); the sequence makes them unique on their own in practice.
-- A slug cannot be unique across partitions by a constraint on this table,
-- so slugs live in article_slugs below.
CREATE SEQUENCE articles_id_seq AS bigint;

CREATE TABLE articles (
    id           bigint      NOT NULL DEFAULT nextval('articles_id_seq'),
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug         text        NOT NULL,
    title        text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    body         text        NOT NULL,
    status       text        NOT NULL DEFAULT 'draft',
    views        bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, created_at),
    CONSTRAINT articles_status_known CHECK (status IN ('draft', 'published')),
    CONSTRAINT articles_published_has_date CHECK (status <> 'published' OR published_at IS NOT NULL),
    CONSTRAINT articles_views_non_negative CHECK (views >= 0)
) PARTITION BY RANGE (created_at);

ALTER SEQUENCE articles_id_seq OWNED BY articles.id;

-- Bodies are a few KB of Markdown: lz4 compresses them several times faster
-- than the default pglz, for nearly the same size.
ALTER TABLE articles ALTER COLUMN body SET COMPRESSION lz4;

-- Rows for a month without a partition land here, so an insert never fails.
CREATE TABLE articles_default PARTITION OF articles DEFAULT;

-- The design note's indexes.
CREATE INDEX articles_user_id_status_idx ON articles (user_id, status);
CREATE INDEX articles_created_at_idx ON articles (created_at DESC);
-- The latest-published listing reads this, newest first, on each partition.
CREATE INDEX articles_published_recent_idx ON articles (published_at DESC, id DESC)
    WHERE status = 'published';

-- Every slug an article has had; the newest is on the article itself, older
-- ones redirect. The primary key is what makes slugs unique site-wide.
CREATE TABLE article_slugs (
    slug               text        PRIMARY KEY,
    article_id         bigint      NOT NULL,
    article_created_at timestamptz NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT article_slugs_article_fkey FOREIGN KEY (article_id, article_created_at)
        REFERENCES articles (id, created_at) ON DELETE CASCADE
);
CREATE INDEX article_slugs_article_idx ON article_slugs (article_id);

-- Creates the monthly partitions from `from_month` through `months_ahead`
-- months past the current one, and returns how many it created.
--
-- Safe to run from several instances at once: a transaction-scoped advisory
-- lock serialises callers. A month whose rows already sit in the default
-- partition is skipped with a warning (attaching it would fail); those rows
-- stay readable there.
CREATE FUNCTION ensure_article_partitions(from_month date, months_ahead integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    month_start date := date_trunc('month', from_month)::date;
    last_month  date := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => months_ahead))::date;
    lower_bound timestamptz;
    upper_bound timestamptz;
    part_name   text;
    created     integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('warta.ensure_article_partitions'));
    WHILE month_start <= last_month LOOP
        part_name := format('articles_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
        -- Month boundaries are UTC midnights whatever the session's TimeZone.
        lower_bound := month_start::timestamp AT TIME ZONE 'UTC';
        upper_bound := (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';
        IF to_regclass(part_name) IS NULL THEN
            IF EXISTS (
                SELECT 1 FROM articles_default
                WHERE created_at >= lower_bound AND created_at < upper_bound
            ) THEN
                RAISE WARNING 'articles_default holds rows for %; partition % not created', month_start, part_name;
            ELSE
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF articles FOR VALUES FROM (%L) TO (%L)',
                    part_name, lower_bound, upper_bound
                );
                created := created + 1;
            END IF;
        END IF;
        month_start := (month_start + interval '1 month')::date;
    END LOOP;
    RETURN created;
END;
$$;

SELECT ensure_article_partitions((now() AT TIME ZONE 'UTC')::date, 3);
