-- Tags as a vocabulary: each has one spelling (`app::domain::canonical_tag`):
-- lower case, letters, digits and `_`, words joined by single hyphens, 1
-- to 40 characters. The app puts every tag it is given into that form; this
-- migration puts the stored ones into it, and a check keeps them so.
--
-- The migration rule, for rows written before the app folded tags:
--   1. lower case (as far as the database's LC_CTYPE knows a letter's case:
--      all of ASCII, and every script under a UTF-8 locale);
--   2. runs of spaces, `-`, `.` and `/` become one hyphen, and hyphens at
--      either end go (after cutting to 40 characters too);
--   3. ASCII punctuation other than `_` and `-` is dropped (`c++` becomes
--      `c`, `<b>tag</b>` becomes `btag-b`); other characters stay;
--   4. if two of an article's tags fold to one spelling, the one its author
--      gave first stays; a tag with nothing left (`++`) is the only kind
--      removed, since no spelling of it can be stored.
-- No article loses a tag that has a letter or a digit in it.

CREATE FUNCTION pg_temp.folded(tag text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT trim(BOTH '-' FROM left(trim(BOTH '-' FROM regexp_replace(
        regexp_replace(lower(tag), '[][!"#$%&''()*+,:;<=>?@\\^`{|}~]', '', 'g'),
        '[[:space:]./-]+', '-', 'g')), 40))
$$;

-- Rule 4 first: of the rows that would fold into one, all but the first.
DELETE FROM article_tags t
WHERE pg_temp.folded(t.tag) = ''
   OR EXISTS (SELECT 1 FROM article_tags o
              WHERE o.article_id = t.article_id AND o.article_created_at = t.article_created_at
                AND o.position < t.position AND pg_temp.folded(o.tag) = pg_temp.folded(t.tag));

UPDATE article_tags SET tag = pg_temp.folded(tag) WHERE tag <> pg_temp.folded(tag);

-- The counts' triggers moved each article's count to its new spelling; the
-- old spellings' rows, now counting nothing, go.
DELETE FROM tag_counts WHERE tag <> pg_temp.folded(tag) AND articles = 0;

-- The ASCII part of the rule, which holds whatever the database's locale:
-- no upper case, space or punctuation but `_` and single inner hyphens.
ALTER TABLE article_tags ADD CONSTRAINT article_tags_tag_canonical CHECK (
    tag !~ '[A-Z[:space:]]'
    AND tag !~ '[][!"#$%&''()*+,./:;<=>?@\\^`{|}~]'
    AND tag !~ '(^-|-$|--)'
) NOT VALID;
ALTER TABLE article_tags VALIDATE CONSTRAINT article_tags_tag_canonical;
