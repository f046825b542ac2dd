-- Accounts, hash-partitioned on id into 16 partitions (users_p00 to
-- users_p15), as the design note asks ("partition users berdasarkan
-- user_id"). A lookup by id reads one partition; 16 is a power of two, so
-- a later split to 32 divides each partition in two (MODULUS 32, the same
-- remainder and remainder + 16) instead of moving every row.
--
-- A unique index on a partitioned table must contain the partition key, so
-- emails and usernames (unique regardless of case) cannot stay unique on
-- `users` itself. Two registry tables keep them unique instead, keyed by the
-- folded value, the way article_slugs keeps slugs unique across article
-- partitions: a sign-in by email reads user_emails, then one partition.
-- A trigger on `users` writes the registries in the same transaction as
-- every insert, change and delete, whoever writes (the app, `warta seed`,
-- tests, an operator's psql), and the registries' keys carry the names the
-- old unique indexes had (users_email_key, users_username_key), so a taken
-- address or name is reported as before.
--
-- Ids are kept, so sessions (in Redis, by user id and session generation)
-- and API tokens survive the move. Every foreign key that referenced the
-- old table is recreated, with the same definition, on the new one.

CREATE TABLE users_by_id (
    LIKE users INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION,
    PRIMARY KEY (id)
) PARTITION BY HASH (id);

DO $$
BEGIN
    FOR remainder IN 0..15 LOOP
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF users_by_id FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
            'users_p' || lpad(remainder::text, 2, '0'),
            remainder
        );
    END LOOP;
END
$$;

INSERT INTO users_by_id SELECT * FROM users;

-- The foreign keys that point at the old table, set aside and recreated
-- below (conparentid = 0: a partitioned table's key, not its partitions'
-- copies of it).
CREATE TEMPORARY TABLE user_references AS
SELECT conrelid::regclass::text AS referencing, conname::text AS name, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE contype = 'f' AND confrelid = 'users'::regclass AND conparentid = 0;

DO $$
DECLARE
    reference record;
BEGIN
    FOR reference IN SELECT * FROM user_references LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', reference.referencing, reference.name);
    END LOOP;
END
$$;

-- Takes the old identity sequence and the old unique indexes with it.
DROP TABLE users;
ALTER TABLE users_by_id RENAME TO users;
ALTER TABLE users RENAME CONSTRAINT users_by_id_pkey TO users_pkey;

-- Partitioned tables take no identity column before Postgres 17: a plain
-- sequence, as articles have, continuing where the old one stopped.
CREATE SEQUENCE users_id_seq AS bigint OWNED BY users.id;
ALTER TABLE users ALTER COLUMN id SET DEFAULT nextval('users_id_seq');
SELECT setval('users_id_seq', coalesce((SELECT max(id) FROM users), 0) + 1, false);

CREATE INDEX users_suspended_idx ON users (id) WHERE suspended_at IS NOT NULL;
CREATE INDEX users_staff_idx ON users (role) WHERE role <> 'reader';

CREATE TABLE user_emails (
    email   text   NOT NULL,
    user_id bigint NOT NULL,
    CONSTRAINT users_email_key PRIMARY KEY (email),
    CONSTRAINT user_emails_folded CHECK (email = lower(email))
);
CREATE TABLE user_names (
    username text   NOT NULL,
    user_id  bigint NOT NULL,
    CONSTRAINT users_username_key PRIMARY KEY (username),
    CONSTRAINT user_names_folded CHECK (username = lower(username))
);
INSERT INTO user_emails (email, user_id) SELECT lower(email), id FROM users;
INSERT INTO user_names (username, user_id) SELECT lower(username), id FROM users;

-- Keeps the registries in step with `users`. Email first, then username, as
-- the old unique indexes were checked. A bulk load (`warta seed`) sets
-- `warta.bulk_load` and fills the registries itself with one statement
-- each, which is many times faster than a trigger call per row.
CREATE FUNCTION users_keep_registries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('warta.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM user_emails WHERE email = lower(OLD.email) AND user_id = OLD.id;
        DELETE FROM user_names WHERE username = lower(OLD.username) AND user_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO user_emails (email, user_id) VALUES (lower(NEW.email), NEW.id);
        INSERT INTO user_names (username, user_id) VALUES (lower(NEW.username), NEW.id);
        RETURN NULL;
    END IF;
    IF lower(NEW.email) <> lower(OLD.email) THEN
        DELETE FROM user_emails WHERE email = lower(OLD.email) AND user_id = OLD.id;
        INSERT INTO user_emails (email, user_id) VALUES (lower(NEW.email), NEW.id);
    END IF;
    IF lower(NEW.username) <> lower(OLD.username) THEN
        DELETE FROM user_names WHERE username = lower(OLD.username) AND user_id = OLD.id;
        INSERT INTO user_names (username, user_id) VALUES (lower(NEW.username), NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_registries
    AFTER INSERT OR UPDATE OF email, username OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_keep_registries();

DO $$
DECLARE
    reference record;
BEGIN
    FOR reference IN SELECT * FROM user_references LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', reference.referencing, reference.name, reference.definition);
    END LOOP;
END
$$;

DROP TABLE user_references;

ANALYZE users, user_emails, user_names;
