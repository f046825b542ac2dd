-- /popular is the design note's `ORDER BY views DESC LIMIT 10`: with this
-- index each partition hands over its top rows, merged in order, instead of
-- sorting five million. The id breaks ties so the order is total.
--
-- Views change only in batches (the view counter flushes every few
-- seconds), so keeping this index costs one index update per viewed
-- article per flush, not one per view.
CREATE INDEX articles_popular_idx ON articles (views DESC, id DESC)
    WHERE status = 'published';
