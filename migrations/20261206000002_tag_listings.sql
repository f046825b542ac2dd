-- Tag pages and popular tags.
--
-- A tag page lists the tag's published articles newest first. The old
-- index ordered a tag's rows by when the article was begun, not published,
-- so every page sorted all of the tag's articles. Each tag row now carries
-- its article's publication time (NULL for a draft), and one partial index
-- serves any page by reading `offset + limit` entries, then each article
-- from its one partition.
--
-- `set_tags` writes the time with the rows; the trigger below moves it when
-- an article is published, unpublished or republished.
ALTER TABLE article_tags ADD COLUMN published_at timestamptz;

UPDATE article_tags t SET published_at = a.published_at
FROM articles a
WHERE a.id = t.article_id AND a.created_at = t.article_created_at AND a.status = 'published';

CREATE INDEX article_tags_published_idx
    ON article_tags (tag, published_at DESC, article_id DESC) INCLUDE (article_created_at)
    WHERE published_at IS NOT NULL;
-- Deleting an article finds its tags (the foreign key's cascade) by the
-- primary key, which starts with article_id; nothing else read this one.
DROP INDEX article_tags_tag_idx;

CREATE FUNCTION move_article_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_tags
    SET published_at = CASE WHEN NEW.status = 'published' THEN NEW.published_at END
    WHERE article_id = NEW.id AND article_created_at = NEW.created_at;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_tags_publication
    AFTER UPDATE OF status, published_at ON articles
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION move_article_tags();

-- How many published articles carry each tag: `GET /api/tags` and the
-- home page's tag list read the top of it, never article_tags.
CREATE TABLE tag_counts (
    tag        text        PRIMARY KEY,
    articles   integer     NOT NULL,
    -- Breaks ties: among tags as popular, the one used last comes first.
    last_used  timestamptz NOT NULL
);
CREATE INDEX tag_counts_popular_idx ON tag_counts (articles DESC, last_used DESC) WHERE articles > 0;

-- By statement, with transition tables: a bulk COPY (`warta seed`) counts
-- each batch in one statement. Rows are counted in tag order, so two
-- transactions counting the same tags lock them in the same order.
CREATE FUNCTION count_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tag_counts AS c (tag, articles, last_used)
        SELECT tag, count(*), max(published_at) FROM new_rows
        WHERE published_at IS NOT NULL GROUP BY tag ORDER BY tag
        ON CONFLICT (tag) DO UPDATE
        SET articles = c.articles + EXCLUDED.articles, last_used = greatest(c.last_used, EXCLUDED.last_used);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE tag_counts c SET articles = greatest(c.articles - gone.n, 0)
        FROM (SELECT tag, count(*) AS n FROM old_rows WHERE published_at IS NOT NULL GROUP BY tag ORDER BY tag) gone
        WHERE c.tag = gone.tag;
    ELSE
        INSERT INTO tag_counts AS c (tag, articles, last_used)
        SELECT tag, sum(n), coalesce(max(published_at), '-infinity') FROM (
            SELECT tag, 1 AS n, published_at FROM new_rows WHERE published_at IS NOT NULL
            UNION ALL
            SELECT tag, -1, NULL FROM old_rows WHERE published_at IS NOT NULL
        ) changes
        GROUP BY tag HAVING sum(n) <> 0 ORDER BY tag
        ON CONFLICT (tag) DO UPDATE
        SET articles = greatest(c.articles + EXCLUDED.articles, 0),
            last_used = greatest(c.last_used, EXCLUDED.last_used);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER article_tags_count_insert
    AFTER INSERT ON article_tags REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_tags();
CREATE TRIGGER article_tags_count_delete
    AFTER DELETE ON article_tags REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_tags();
CREATE TRIGGER article_tags_count_update
    AFTER UPDATE ON article_tags REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_tags();

INSERT INTO tag_counts (tag, articles, last_used)
SELECT tag, count(*), max(published_at) FROM article_tags
WHERE published_at IS NOT NULL GROUP BY tag;
