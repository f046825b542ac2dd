-- What users write, limited where it is stored too: the last line behind
-- the application's own checks (app/src/domain.rs), should a new path ever
-- forget them. Control characters and the bidirectional overrides and
-- isolates (U+202A–U+202E, U+2066–U+2069) are refused; text with lines
-- keeps its tabs and line feeds. NUL cannot be stored in text at all.
--
-- Rows written before these rules are mended first, in this transaction, so
-- no old app instance can write an offending row before the constraints
-- hold: line breaks as LF (the settings form used to keep a textarea's
-- CRLF), forbidden characters dropped (a tab in a one-line field becomes a
-- space), too-long bios cut, unusable picture addresses removed. Nothing
-- else is changed.
--
-- The constraints are then added NOT VALID (no scan, a brief lock); the
-- next migration validates them, which reads every row without blocking
-- writes.

UPDATE users SET bio = left(regexp_replace(replace(bio, E'\r\n', E'\n'),
                                           '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', '', 'g'), 1000)
WHERE char_length(bio) > 1000 OR bio ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]';

UPDATE users SET image = NULL
WHERE image IS NOT NULL AND NOT (octet_length(image) <= 2048 AND image ~* '^https?://[!-~]+$');

UPDATE articles SET
    title = coalesce(nullif(btrim(regexp_replace(regexp_replace(title, '[\t\n\r]', ' ', 'g'),
                                                 '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', '', 'g')), ''),
                     'Untitled'),
    description = btrim(regexp_replace(regexp_replace(description, '[\t\n\r]', ' ', 'g'),
                                       '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', '', 'g'))
WHERE title ~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]'
   OR description ~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]';

-- A tag that, mended, would repeat one its article has is dropped.
DELETE FROM article_tags t
WHERE t.tag ~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]'
  AND (regexp_replace(t.tag, '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', '', 'g') = ''
       OR EXISTS (SELECT 1 FROM article_tags o
                  WHERE o.article_id = t.article_id
                    AND o.tag = regexp_replace(t.tag, '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', '', 'g')));
UPDATE article_tags SET tag = regexp_replace(tag, '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', '', 'g')
WHERE tag ~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]';

UPDATE comments SET body = coalesce(nullif(btrim(regexp_replace(replace(body, E'\r\n', E'\n'),
                                                      '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', '', 'g')), ''),
                                    '…')
WHERE body ~ '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]';

ALTER TABLE users
    ADD CONSTRAINT users_username_plain CHECK (username ~ '^[A-Za-z0-9_-]+$') NOT VALID,
    ADD CONSTRAINT users_bio_text CHECK (
        char_length(bio) <= 1000
        AND bio !~ '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]'
    ) NOT VALID,
    ADD CONSTRAINT users_image_url CHECK (
        image IS NULL OR (octet_length(image) <= 2048 AND image ~* '^https?://[!-~]+$')
    ) NOT VALID;

ALTER TABLE articles
    ADD CONSTRAINT articles_title_text CHECK (
        char_length(title) BETWEEN 1 AND 200
        AND title !~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]'
    ) NOT VALID,
    ADD CONSTRAINT articles_description_text CHECK (
        char_length(description) <= 300
        AND description !~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]'
    ) NOT VALID;

ALTER TABLE article_tags
    ADD CONSTRAINT article_tags_tag_text CHECK (
        tag !~ '[\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]'
    ) NOT VALID;

ALTER TABLE comments
    ADD CONSTRAINT comments_body_text CHECK (
        char_length(body) BETWEEN 1 AND 5000
        AND body !~ '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]'
    ) NOT VALID;
