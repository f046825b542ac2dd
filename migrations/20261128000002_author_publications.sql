-- An author's published articles, across partitions.
--
-- Articles are partitioned by the month they were begun, and an author's
-- page lists their published articles newest first, from any month. Read
-- from `articles`, every page entered every partition's index (41 of 41 on
-- the 5M dataset), however few articles the author has. This table is that
-- index, unpartitioned: one row per published article, by author and
-- publication, carrying the partition key. A page reads one index range
-- here, then each of its rows from the one partition that holds it. So do
-- the follow feed and the count of an author's articles.
--
-- Triggers keep it in step with `articles` in the writing transaction, so a
-- reader never sees the two disagree; deleting an article deletes its row
-- through the foreign key.

CREATE TABLE author_publications (
    article_id   bigint      PRIMARY KEY,
    created_at   timestamptz NOT NULL,
    user_id      bigint      NOT NULL,
    published_at timestamptz NOT NULL,
    CONSTRAINT author_publications_article_fkey FOREIGN KEY (article_id, created_at)
        REFERENCES articles (id, created_at) ON DELETE CASCADE
);

-- The page, the feed's merge and the count, all index-only.
CREATE INDEX author_publications_page_idx
    ON author_publications (user_id, published_at DESC, article_id DESC) INCLUDE (created_at);

-- Inserts, by statement: a bulk COPY (`warta seed`) adds its published rows
-- in one INSERT per batch instead of one per row.
CREATE FUNCTION add_author_publications() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO author_publications (article_id, created_at, user_id, published_at)
    SELECT id, created_at, user_id, published_at FROM inserted WHERE status = 'published';
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_author_publications_insert
    AFTER INSERT ON articles
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION add_author_publications();

-- Publishing, unpublishing and republishing, by row. Only those columns
-- fire it, and only when they change: the view-count flush and edits,
-- which update articles all day, never do.
CREATE FUNCTION move_author_publication() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' THEN
        INSERT INTO author_publications (article_id, created_at, user_id, published_at)
        VALUES (NEW.id, NEW.created_at, NEW.user_id, NEW.published_at)
        ON CONFLICT (article_id) DO UPDATE
        SET user_id = EXCLUDED.user_id, published_at = EXCLUDED.published_at;
    ELSE
        DELETE FROM author_publications WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_author_publications_update
    AFTER UPDATE OF status, published_at, user_id ON articles
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION move_author_publication();

-- Rows published before this migration. CREATE TRIGGER holds off writes to
-- articles (not reads) until this transaction commits, so none is missed.
INSERT INTO author_publications (article_id, created_at, user_id, published_at)
SELECT id, created_at, user_id, published_at FROM articles WHERE status = 'published';
