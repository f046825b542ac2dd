-- An article's cover image. The original lives in the media store (the
-- `object_store` crate: a local folder, or S3-compatible storage) under
-- `key`; a job makes resized WebP copies beside it and records their widths
-- in `variants`. Until then pages show the original.
CREATE TABLE article_covers (
    article_id         bigint      PRIMARY KEY,
    article_created_at timestamptz NOT NULL,
    key                text        NOT NULL,
    content_type       text        NOT NULL,
    width              integer     NOT NULL,
    height             integer     NOT NULL,
    variants           integer[]   NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT article_covers_article_fkey FOREIGN KEY (article_id, article_created_at)
        REFERENCES articles (id, created_at) ON DELETE CASCADE,
    CONSTRAINT article_covers_content_type_known
        CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    CONSTRAINT article_covers_size_positive CHECK (width > 0 AND height > 0)
);
