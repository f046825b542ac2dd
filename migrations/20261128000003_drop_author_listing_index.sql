-- What author pages read before, on every partition: `author_publications`
-- replaced it. Dropping it takes an exclusive lock on articles, so it has
-- its own migration, committed at once, not the previous one's backfill.
DROP INDEX articles_author_published_idx;
