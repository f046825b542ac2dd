-- The search page finds authors and tags by the start of their names: one
-- range of each of these indexes (`LIKE 'prefix%'` needs `text_pattern_ops`
-- under a collation other than C).
CREATE INDEX user_names_prefix_idx ON user_names (username text_pattern_ops);
CREATE INDEX tag_counts_prefix_idx ON tag_counts (tag text_pattern_ops) WHERE articles > 0;
