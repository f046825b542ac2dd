-- The language a reader reads Warta in ('en' or 'id'), for what is sent to
-- them outside a page: the email when an author they follow publishes. Set
-- when they register, from the language of the page they registered on,
-- and changed in their settings.
--
-- A constant default adds the column without rewriting the table; the
-- check is added unvalidated and validated separately, so the scan of the
-- existing rows holds no lock that blocks writes.
ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en';
ALTER TABLE users ADD CONSTRAINT users_locale_check CHECK (locale IN ('en', 'id')) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_locale_check;
