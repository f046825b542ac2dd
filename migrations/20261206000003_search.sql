-- Full-text search over articles: a stored tsvector of the title (weight
-- A), description (B) and body (C), and a GIN index over the published
-- ones. The 'simple' configuration lowercases and splits words without
-- stemming or stop words: Warta publishes in Indonesian and English, and
-- an English stemmer would mangle Indonesian words (and drop none of its
-- stop words). Bodies count up to their first 100,000 characters.
--
-- Adding a stored column rewrites every partition once (minutes at 5M
-- articles); every later write computes its row's vector.
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, title), 'A')
    || setweight(to_tsvector('simple'::regconfig, description), 'B')
    || setweight(to_tsvector('simple'::regconfig, left(body, 100000)), 'C')
) STORED;

CREATE INDEX articles_search_idx ON articles USING gin (search) WHERE status = 'published';
