-- /popular is the design note's `ORDER BY views DESC LIMIT 10`: with this
-- index each partition hands over its top rows, merged in order, instead of
-- sorting five million. The id breaks ties so the order is total.
--
-- Views change only in batches (the view counter flushes every few
-- seconds), so keeping this index costs one index update per viewed
-- article per flush, not one per view.
CREATE INDEX articles_popular_idx ON articles (views DESC, id DESC)
    WHERE status = 'published';

-- The week and month tabs rank only what was published in the window:
-- a range of this index, read without touching the table (views and id
-- ride along), then sorted. A week is ~30,000 entries at five million
-- articles, never the whole table.
CREATE INDEX articles_recent_views_idx ON articles (published_at DESC) INCLUDE (views, id)
    WHERE status = 'published';
