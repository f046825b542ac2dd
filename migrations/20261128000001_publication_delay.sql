-- Partition pruning for the listings.
--
-- Articles are partitioned by the month they were begun (created_at), but
-- listed by the moment they were published. An article is published after
-- it is begun, and how long after is bounded by the longest such delay
-- there has ever been, which this table keeps. So a listing that reads
-- articles published at or after P needs only the partitions from
-- P - longest on: with drafts published within hours, one or two months of
-- partitions instead of every month since the site began. One draft that
-- waited a year widens every such read to a year, correctly: the bound only
-- ever grows, so no read can miss an article.

ALTER TABLE articles ADD CONSTRAINT articles_published_after_created
    CHECK (published_at IS NULL OR published_at >= created_at);

CREATE TABLE article_publication_delay (
    only_row boolean  PRIMARY KEY DEFAULT true CHECK (only_row),
    longest  interval NOT NULL
);

INSERT INTO article_publication_delay (longest)
SELECT COALESCE(max(published_at - created_at), interval '0') FROM articles;

-- Keeps `longest` at least as long as every article's delay. The UPDATE
-- writes (and locks the row) only when the delay is a new longest, which
-- almost never happens: publishing does not queue on it.
CREATE FUNCTION note_publication_delay() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_publication_delay
    SET longest = NEW.published_at - NEW.created_at
    WHERE longest < NEW.published_at - NEW.created_at;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_publication_delay
    AFTER INSERT OR UPDATE OF published_at ON articles
    FOR EACH ROW WHEN (NEW.published_at IS NOT NULL)
    EXECUTE FUNCTION note_publication_delay();

-- The popular tabs join their top rows back to articles by the partition
-- key too, so each lookup reads one partition: the key rides along in the
-- index they rank from.
DROP INDEX articles_recent_views_idx;
CREATE INDEX articles_recent_views_idx ON articles (published_at DESC) INCLUDE (views, id, created_at)
    WHERE status = 'published';
