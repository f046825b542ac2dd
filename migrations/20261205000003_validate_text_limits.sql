-- Checks the rows written before the text limits existed (see the
-- previous migration). VALIDATE takes a lock that lets reads and writes go
-- on while it scans.
ALTER TABLE users VALIDATE CONSTRAINT users_username_plain;
ALTER TABLE users VALIDATE CONSTRAINT users_bio_text;
ALTER TABLE users VALIDATE CONSTRAINT users_image_url;
ALTER TABLE articles VALIDATE CONSTRAINT articles_title_text;
ALTER TABLE articles VALIDATE CONSTRAINT articles_description_text;
ALTER TABLE article_tags VALIDATE CONSTRAINT article_tags_tag_text;
ALTER TABLE comments VALIDATE CONSTRAINT comments_body_text;
