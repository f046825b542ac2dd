-- Each article has a language, English ('en') or Indonesian ('id'), and is
-- indexed for search in its language's text search configuration
-- (`english` or `indonesian`, both shipped with Postgres), so plurals and
-- affixes match: "bicycles" finds "bicycle", "sepeda" finds "bersepeda".
--
-- The migration rule: an article written before articles had a language
-- takes its author's language (`users.locale`: the language of the page
-- they registered on, or the one they chose since for their emails). Every
-- article's search vector is recomputed in its language by the same
-- statement (the trigger fires on a change of language).
--
-- Cost: that statement rewrites every article row and parses every body
-- once (on the 5M-article dataset, about what `make seed`'s articles phase
-- took before it composed vectors itself: several minutes).

ALTER TABLE articles ADD COLUMN language text NOT NULL DEFAULT 'en';
ALTER TABLE articles ADD CONSTRAINT articles_language_check CHECK (language IN ('en', 'id'));

-- The configuration of a language: the one place that knows the pairs.
CREATE FUNCTION search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE language WHEN 'id' THEN 'indonesian'::regconfig ELSE 'english'::regconfig END
$$;

-- What a reader typed (web-search syntax), as a query that matches in either
-- language: "bicycles" asks for English's `bicycl` or Indonesian's
-- `bicycles`, so an article in each language is found by its own stems.
CREATE FUNCTION search_query(typed text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT websearch_to_tsquery('english'::regconfig, typed) || websearch_to_tsquery('indonesian'::regconfig, typed)
$$;

-- As before (title A, description B, the body's first 100,000 characters
-- C), in the article's language.
CREATE FUNCTION article_search_vector(title text, description text, body text, language text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector(search_config(language), title), 'A')
        || setweight(to_tsvector(search_config(language), description), 'B')
        || setweight(to_tsvector(search_config(language), left(body, 100000)), 'C')
$$;

CREATE OR REPLACE FUNCTION set_article_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := article_search_vector(NEW.title, NEW.description, NEW.body, NEW.language);
    RETURN NEW;
END
$$;

DROP TRIGGER articles_search ON articles;
CREATE TRIGGER articles_search
    BEFORE INSERT OR UPDATE OF title, description, body, language, search ON articles
    FOR EACH ROW EXECUTE FUNCTION set_article_search();

DROP FUNCTION article_search_vector(text, text, text);

-- The rule above, and every vector in its language.
UPDATE articles a SET language = u.locale
FROM users u
WHERE u.id = a.user_id;
