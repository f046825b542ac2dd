-- Favorites: a reader's saved articles, and how many readers saved each.
--
-- `articles.favorites_count` is kept by a trigger in the favoriting
-- transaction, so every listing shows counts without a query or a join per
-- article, and a reader never sees a count that disagrees with the rows.
-- Adding a column with a constant default rewrites no partition.
ALTER TABLE articles ADD COLUMN favorites_count integer NOT NULL DEFAULT 0;

CREATE TABLE favorites (
    user_id            bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id         bigint      NOT NULL,
    article_created_at timestamptz NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- "Has this reader saved these articles?" for a page of them.
    PRIMARY KEY (user_id, article_id),
    CONSTRAINT favorites_article_fkey FOREIGN KEY (article_id, article_created_at)
        REFERENCES articles (id, created_at) ON DELETE CASCADE
);
-- A reader's favorites, most recently saved first (`?favorited=`, their
-- profile), index-only up to the join with the one partition per article.
CREATE INDEX favorites_recent_idx
    ON favorites (user_id, created_at DESC, article_id DESC) INCLUDE (article_created_at);
-- Deleting an article finds its favorites (the foreign key's cascade).
CREATE INDEX favorites_article_idx ON favorites (article_id);

-- One row at a time: a favorite is one reader's click. Deleting the article
-- deletes its favorites first, and the update then finds no row: nothing
-- to count.
CREATE FUNCTION count_favorite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE articles SET favorites_count = favorites_count + 1
        WHERE id = NEW.article_id AND created_at = NEW.article_created_at;
    ELSE
        UPDATE articles SET favorites_count = greatest(favorites_count - 1, 0)
        WHERE id = OLD.article_id AND created_at = OLD.article_created_at;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER favorites_count
    AFTER INSERT OR DELETE ON favorites
    FOR EACH ROW EXECUTE FUNCTION count_favorite();
