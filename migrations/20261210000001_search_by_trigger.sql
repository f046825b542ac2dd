-- Articles' search vectors, kept by a trigger instead of as a generated
-- column: the same vector (title A, description B, the body's first
-- 100,000 characters C, the 'simple' configuration), computed by
-- `article_search_vector` whenever a row is inserted or its text changes.
--
-- Why: a generated column can never be written, so a bulk load (`warta
-- seed`: 5M articles) had to parse every body in Postgres, which was two
-- thirds of its time. With a trigger, the seed disables it and writes
-- vectors it composed itself (`server/src/seed/search.rs`), and its test
-- checks each one against this function.
--
-- Dropping the expression keeps every stored vector and rewrites nothing.
ALTER TABLE articles ALTER COLUMN search DROP EXPRESSION;

CREATE FUNCTION article_search_vector(title text, description text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, description), 'B')
        || setweight(to_tsvector('simple'::regconfig, left(body, 100000)), 'C')
$$;

CREATE FUNCTION set_article_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := article_search_vector(NEW.title, NEW.description, NEW.body);
    RETURN NEW;
END
$$;

-- Updates of anything else (views, favorites, status) leave it alone, as
-- the generated column did; a vector written directly is recomputed.
CREATE TRIGGER articles_search
    BEFORE INSERT OR UPDATE OF title, description, body, search ON articles
    FOR EACH ROW EXECUTE FUNCTION set_article_search();
