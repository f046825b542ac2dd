-- Checks the existing rows against the widened status list (see the
-- previous migration). VALIDATE takes a lock that lets reads and writes go
-- on while it scans.
ALTER TABLE articles VALIDATE CONSTRAINT articles_status_known;
