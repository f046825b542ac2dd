-- Tags and comments, both hanging off partitioned articles: each row
-- carries the article's (id, created_at), the articles key, so deleting an
-- article deletes them and a lookup by article reaches one partition.

-- An article's tags, in the order its author gave them.
CREATE TABLE article_tags (
    article_id         bigint      NOT NULL,
    article_created_at timestamptz NOT NULL,
    tag                text        NOT NULL,
    position           smallint    NOT NULL,
    PRIMARY KEY (article_id, tag),
    CONSTRAINT article_tags_article_fkey FOREIGN KEY (article_id, article_created_at)
        REFERENCES articles (id, created_at) ON DELETE CASCADE,
    CONSTRAINT article_tags_tag_length CHECK (char_length(tag) BETWEEN 1 AND 40)
);
-- An article's tags in order: what every listing query shows.
CREATE FUNCTION article_tag_list(article_id bigint, article_created_at timestamptz)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(t.tag ORDER BY t.position), '{}')
    FROM article_tags t
    WHERE t.article_id = $1 AND t.article_created_at = $2
$$;

-- `?tag=`: the articles with a tag, newest first.
CREATE INDEX article_tags_tag_idx ON article_tags (tag, article_created_at DESC, article_id DESC);

CREATE TABLE comments (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id         bigint      NOT NULL,
    article_created_at timestamptz NOT NULL,
    user_id            bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body               text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT comments_article_fkey FOREIGN KEY (article_id, article_created_at)
        REFERENCES articles (id, created_at) ON DELETE CASCADE
);
CREATE INDEX comments_article_idx ON comments (article_id, id);
CREATE INDEX comments_user_idx ON comments (user_id);

-- Drafts on their author's page, most recently edited first.
CREATE INDEX articles_author_drafts_idx ON articles (user_id, updated_at DESC)
    WHERE status = 'draft';
