-- What users write, limited where it is stored too: the last line behind
-- the application's own checks (app/src/domain.rs), should a new path ever
-- forget them. Control characters and the bidirectional overrides and
-- isolates (U+202A–U+202E, U+2066–U+2069) are refused; text with lines
-- keeps its tabs and line feeds. NUL cannot be stored in text at all.
--
-- Added NOT VALID (no scan, a brief lock); the next migration validates
-- them, which reads every row without blocking writes.

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
