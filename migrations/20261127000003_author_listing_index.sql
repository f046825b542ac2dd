-- An author's page lists their published articles newest first. Prolific
-- authors have tens of thousands, so (user_id, status) alone would mean
-- sorting them all; this reads exactly one page per partition.
CREATE INDEX articles_author_published_idx ON articles (user_id, published_at DESC, id DESC)
    WHERE status = 'published';
