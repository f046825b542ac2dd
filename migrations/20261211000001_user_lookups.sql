-- Finding an account by email or username on the partitioned `users`:
-- the registry's key gives the id, and the id one partition, chosen before
-- the statement starts instead of while it runs.
--
-- Written as `WHERE id = (SELECT user_id FROM user_names WHERE ...)`, the
-- id is the result of a subquery, known only as the statement runs: its
-- plan opens and locks all 16 partitions and their keys' indexes on every
-- call and runs one (37 locks, where a backend keeps only 16 out of the
-- shared lock table). Written as `WHERE id = user_id_by_username($1)`, a
-- stable function's result, Postgres computes the id as the plan starts
-- ("Subplans Removed: 15"), opens one partition's index (22 locks) and,
-- for a name nobody has, none. pgbench on 1M users: the README's "Schema".
--
-- Each call runs the function twice, to prune and to scan (the first five
-- calls on a connection, planned for their values, also once per partition
-- for the planner's estimates; then the connection keeps one plan).
-- PL/pgSQL, not SQL: a one-statement SQL function is inlined into the
-- query that calls it, which brings the subquery back.
CREATE FUNCTION user_id_by_username(username text) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT n.user_id FROM user_names n WHERE n.username = lower(user_id_by_username.username));
END
$$;

CREATE FUNCTION user_id_by_email(email text) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT e.user_id FROM user_emails e WHERE e.email = lower(user_id_by_email.email));
END
$$;
