//! The sharding design (`docs/sharding.md`) against the code, with no
//! database: every table a migration creates has a distribution key there,
//! every function in `app/src/ssr/queries/` that runs SQL ends its doc
//! comment with a `/// Shards:` line, a single-shard claim is checked against
//! the function's SQL, and the document's list of queries is the one the code
//! gives. `WARTA_BLESS=1` rewrites that list instead of failing on it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const QUERIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/src/ssr/queries");
const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sharding.md");
const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");

const BEGIN: &str = "<!-- queries:begin -->";
const END: &str = "<!-- queries:end -->";
const KEYS_HEADER: &str = "| Table | Kind | Key | Co-located with |";
/// No key and no co-location in the keys table; in `all — reason.`, what
/// comes before the reason.
const NONE: &str = "—";
const BLESS: &str = "WARTA_BLESS=1 cargo test -p warta --test api sharding";

/// A row of the document's Distribution keys table.
struct Row {
    /// `distributed`, `reference` or `registry`.
    kind: String,
    key: String,
    /// A table's name, or [`NONE`].
    with: String,
}

/// What a `/// Shards:` line says.
enum Shards {
    /// Routed by these `(table, column)` keys, one hop each.
    One(Vec<(String, String)>),
    /// On every shard, for this reason.
    All(String),
    /// On reference tables only, or on none.
    Reference,
}

/// A function of the query layer that runs SQL.
struct QueryFn {
    module: String,
    name: String,
    /// Its `///` lines, trimmed, in order.
    doc: Vec<String>,
    /// The text of the string literals in its body.
    sql: String,
}

impl QueryFn {
    fn path(&self) -> String {
        format!("{}::{}", self.module, self.name)
    }
}

#[test]
fn every_query_names_its_shards_and_the_design_names_every_table() {
    let doc = read(Path::new(DOC));
    let rows = key_table(&doc).unwrap_or_else(|problem| panic!("{problem}"));
    let created = migration_tables(Path::new(MIGRATIONS));
    let mut failures = Vec::new();
    for table in &created {
        if !rows.contains_key(table) {
            failures.push(format!(
                "docs/sharding.md: the Distribution keys table does not name `{table}` (a migration creates it)"
            ));
        }
    }
    for (table, row) in &rows {
        if !created.contains(table) {
            failures.push(format!(
                "docs/sharding.md: the Distribution keys table names `{table}`, which no migration creates"
            ));
        }
        if !["distributed", "reference", "registry"].contains(&row.kind.as_str()) {
            failures.push(format!(
                "docs/sharding.md: `{table}` is of kind `{}`, not distributed, reference or registry",
                row.kind
            ));
        }
        if (row.kind == "reference") != (row.key == NONE) {
            failures.push(format!(
                "docs/sharding.md: `{table}` ({}) has key `{}`: reference tables, and only they, have `{NONE}`",
                row.kind, row.key
            ));
        }
        if row.with != NONE && !rows.contains_key(&row.with) {
            failures.push(format!(
                "docs/sharding.md: `{table}` is co-located with `{}`, which the table does not list",
                row.with
            ));
        }
    }
    let group = groups(&rows);
    let functions = sql_functions(Path::new(MIGRATIONS));
    let mut classes = BTreeMap::new();
    for mut query in query_functions(Path::new(QUERIES)) {
        query.sql = with_called_functions(&query.sql, &functions);
        let path = query.path();
        let shards = match parse_shards(&query.doc) {
            Ok(shards) => shards,
            Err(problem) => {
                failures.push(format!("{path}: {problem}"));
                continue;
            }
        };
        match &shards {
            Shards::One(keys) => failures.extend(check_one(&query, keys, &rows, &group)),
            Shards::Reference => {
                for table in touched_tables(&query.sql, &rows) {
                    let kind = &rows[&table].kind;
                    if kind != "reference" {
                        failures.push(format!("{path}: `reference`, but touches `{table}` ({kind})"));
                    }
                }
            }
            Shards::All(_) => {}
        }
        classes.insert(path, shards);
    }
    assert!(
        failures.is_empty(),
        "{} sharding problem(s) (see docs/sharding.md, \"Every query, by shard\"):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );

    let (section, [one, all, reference]) = generated(&classes);
    println!(
        "sharding: {} query functions: {one} one, {all} all, {reference} reference",
        classes.len()
    );
    let begin = format!("{BEGIN}\n");
    let (Some(start), Some(stop)) = (doc.find(begin.as_str()), doc.find(END)) else {
        panic!("docs/sharding.md has no `{BEGIN}` … `{END}` section");
    };
    let from = start + begin.len();
    assert!(from <= stop, "docs/sharding.md has no `{BEGIN}` … `{END}` section");
    if doc[from..stop] != section {
        if std::env::var("WARTA_BLESS").is_ok_and(|bless| bless == "1") {
            let (head, tail) = (&doc[..from], &doc[stop..]);
            fs::write(DOC, format!("{head}{section}{tail}"))
                .unwrap_or_else(|error| panic!("writing docs/sharding.md: {error}"));
            println!("rewrote docs/sharding.md's query list");
        } else {
            panic!("docs/sharding.md's query list is out of date: run `{BLESS}`");
        }
    }
}

/// The problems with `query`'s claim that `keys` route every statement: each
/// key is its table's, both names are in its SQL, and every table the SQL
/// touches is a reference table, named, or co-located with one named.
fn check_one(
    query: &QueryFn,
    keys: &[(String, String)],
    rows: &BTreeMap<String, Row>,
    group: &BTreeMap<&str, &str>,
) -> Vec<String> {
    let path = query.path();
    let sql_words = words(&query.sql);
    let mut failures = Vec::new();
    let mut named = BTreeSet::new();
    for (table, column) in keys {
        let Some(row) = rows.get(table) else {
            failures.push(format!("{path}: `{table}` is not in the Distribution keys table"));
            continue;
        };
        if row.key != *column {
            failures.push(format!(
                "{path}: `{table}` is distributed by `{}`, not `{column}`",
                row.key
            ));
        }
        for word in [table, column] {
            if !sql_words.contains(word.as_str()) {
                failures.push(format!("{path}: names `{table}.{column}` but its SQL has no `{word}`"));
            }
        }
        named.insert(table.as_str());
    }
    let named_groups: BTreeSet<&str> = named.iter().map(|table| group[*table]).collect();
    for table in touched_tables(&query.sql, rows) {
        if rows[&table].kind == "reference"
            || named.contains(table.as_str())
            || named_groups.contains(group[table.as_str()])
        {
            continue;
        }
        failures.push(format!(
            "{path}: touches `{table}`, which is no reference table, not named and not co-located with one named"
        ));
    }
    failures
}

/// The generated section: a summary line and one row per query function,
/// sorted; and how many are `one`, `all` and `reference`.
fn generated(classes: &BTreeMap<String, Shards>) -> (String, [usize; 3]) {
    let mut counts = [0; 3];
    let mut listing = String::new();
    for (path, shards) in classes {
        let (kind, text) = match shards {
            Shards::One(keys) => {
                counts[0] += 1;
                let keys: Vec<String> = keys.iter().map(|(table, column)| format!("{table}.{column}")).collect();
                ("one", keys.join(", "))
            }
            Shards::All(reason) => {
                counts[1] += 1;
                ("all", reason.replace('|', "\\|"))
            }
            Shards::Reference => {
                counts[2] += 1;
                ("reference", NONE.to_owned())
            }
        };
        listing.push_str(&format!("| {path} | {kind} | {text} |\n"));
    }
    let [one, all, reference] = counts;
    let total = one + all + reference;
    let section = format!(
        "{total} query functions: {one} on one shard per key, {all} on every shard, \
         {reference} on reference tables or none.\n\n\
         | Query | Shards | Keys or reason |\n|---|---|---|\n{listing}"
    );
    (section, counts)
}

/// What the `/// Shards:` line, the last of `doc`, says.
fn parse_shards(doc: &[String]) -> Result<Shards, String> {
    let last = doc.last().map_or("", String::as_str);
    let Some(text) = last.strip_prefix("/// Shards:") else {
        if doc.iter().any(|line| line.starts_with("/// Shards:")) {
            return Err("its `/// Shards:` line is not the last line of its doc comment".to_owned());
        }
        return Err("no `/// Shards:` line".to_owned());
    };
    let Some(text) = text.trim().strip_suffix('.') else {
        return Err(format!("`{last}` does not end with a full stop"));
    };
    if text == "reference" {
        return Ok(Shards::Reference);
    }
    if let Some(reason) = text.strip_prefix("all") {
        let reason = reason.trim().strip_prefix(NONE).map(str::trim).unwrap_or_default();
        if reason.is_empty() {
            return Err(format!(
                "`{last}`: `all` needs a reason after an em dash (`all {NONE} why.`)"
            ));
        }
        return Ok(Shards::All(reason.to_owned()));
    }
    if let Some(list) = text.strip_prefix("one (").and_then(|rest| rest.strip_suffix(')')) {
        let mut keys = Vec::new();
        for entry in list.split(',').map(str::trim) {
            let key = entry
                .split_once('.')
                .filter(|(table, column)| is_name(table) && is_name(column));
            match key {
                Some((table, column)) => keys.push((table.to_owned(), column.to_owned())),
                None => return Err(format!("`{last}`: `{entry}` is not `table.column`")),
            }
        }
        return Ok(Shards::One(keys));
    }
    Err(format!(
        "`{last}` is none of `one (table.column, …).`, `all {NONE} reason.`, `reference.`"
    ))
}

/// Every function in the `.rs` files of `folder` whose body (from its `fn`
/// line to the next item at its level) runs SQL through sqlx.
fn query_functions(folder: &Path) -> Vec<QueryFn> {
    let mut found = Vec::new();
    for file in sorted_files(folder, "rs") {
        let module = file.file_stem().expect("a file name").to_string_lossy().into_owned();
        let text = read(&file);
        let lines: Vec<&str> = text.split('\n').collect();
        for (at, line) in lines.iter().enumerate() {
            let Some(name) = fn_name(line) else { continue };
            let level = indent(line);
            let mut end = at + 1;
            while let Some(next) = lines.get(end) {
                if !next.trim().is_empty() {
                    let next_level = indent(next);
                    let closing = next.trim_start().starts_with(['}', ')']);
                    if next_level < level || (next_level == level && !closing) {
                        break;
                    }
                }
                end += 1;
            }
            let body = lines[at..end].join("\n");
            if !body.contains("sqlx::query") && !body.contains("sqlx::raw_sql") {
                continue;
            }
            let mut doc = Vec::new();
            let mut above = at;
            while above > 0 {
                let previous = lines[above - 1].trim();
                if previous.starts_with("///") {
                    doc.push(previous.to_owned());
                } else if !previous.starts_with("#[") {
                    break;
                }
                above -= 1;
            }
            doc.reverse();
            found.push(QueryFn {
                module: module.clone(),
                name: name.to_owned(),
                doc,
                sql: string_literals(&body),
            });
        }
    }
    found
}

/// The name of the function `line` declares (`pub async fn name(`), if any.
fn fn_name(line: &str) -> Option<&str> {
    let mut rest = line.trim();
    if let Some(after) = rest.strip_prefix("pub(") {
        rest = after.split_once(')')?.1.trim_start();
    } else if let Some(after) = rest.strip_prefix("pub ") {
        rest = after.trim_start();
    }
    for qualifier in ["const ", "async ", "unsafe "] {
        if let Some(after) = rest.strip_prefix(qualifier) {
            rest = after.trim_start();
        }
    }
    let rest = rest.strip_prefix("fn ")?.trim_start();
    let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
    if end == 0 { None } else { Some(&rest[..end]) }
}

/// The text of every string literal in `code` (Rust), joined by newlines:
/// a query function's SQL, without its comments and its Rust names.
fn string_literals(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let n = chars.len();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '\'' {
            // A character literal (skipped whole, so `'"'` opens no
            // string), or a lifetime.
            if chars.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < n && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
            continue;
        }
        if c == 'r' && raw_string_may_start(&chars, i) {
            let mut j = i + 1;
            while j < n && chars[j] == '#' {
                j += 1;
            }
            if j < n && chars[j] == '"' {
                let hashes = j - i - 1;
                let start = j + 1;
                let end = closing_quote(&chars, start, hashes).unwrap_or(n);
                out.push(chars[start..end].iter().collect());
                i = end + 1 + hashes;
                continue;
            }
        }
        if c == '"' {
            let mut j = i + 1;
            let mut text = String::new();
            while j < n && chars[j] != '"' {
                if chars[j] == '\\' && j + 1 < n {
                    text.push(chars[j + 1]);
                    j += 2;
                    continue;
                }
                text.push(chars[j]);
                j += 1;
            }
            out.push(text);
            i = j + 1;
            continue;
        }
        i += 1;
    }
    out.join("\n")
}

/// Whether an `r` at `at` can begin a raw string (`r"`, `r#"`, `br"`), not
/// end a name.
fn raw_string_may_start(chars: &[char], at: usize) -> bool {
    match at {
        0 => true,
        1 => !is_ident(chars[0]) || chars[0] == 'b',
        _ => !is_ident(chars[at - 1]) || (chars[at - 1] == 'b' && !is_ident(chars[at - 2])),
    }
}

/// Where the raw string with `hashes` hashes that began before `from` ends.
fn closing_quote(chars: &[char], from: usize, hashes: usize) -> Option<usize> {
    (from..chars.len()).find(|&at| chars[at] == '"' && (1..=hashes).all(|k| chars.get(at + k) == Some(&'#')))
}

/// The known tables `sql` names right after `FROM`, `JOIN`, `INTO` or
/// `UPDATE` (any case).
fn touched_tables(sql: &str, known: &BTreeMap<String, Row>) -> BTreeSet<String> {
    let chars: Vec<char> = sql.chars().collect();
    let n = chars.len();
    let word_end = |from: usize| (from..n).find(|&at| !is_ident(chars[at])).unwrap_or(n);
    let mut touched = BTreeSet::new();
    let mut i = 0;
    while i < n {
        if !is_ident(chars[i]) {
            i += 1;
            continue;
        }
        let j = word_end(i);
        let word = chars[i..j].iter().collect::<String>().to_ascii_lowercase();
        if ["from", "join", "into", "update"].contains(&word.as_str()) {
            let k = (j..n).find(|&at| !chars[at].is_whitespace()).unwrap_or(n);
            let name: String = chars[k..word_end(k)].iter().collect();
            if known.contains_key(&name) {
                touched.insert(name);
            }
        }
        i = j;
    }
    touched
}

/// The body of every function the migrations create (`CREATE [OR REPLACE]
/// FUNCTION name(…) … AS $$ body $$`), by name; a later definition replaces
/// an earlier one.
fn sql_functions(folder: &Path) -> BTreeMap<String, String> {
    let mut functions = BTreeMap::new();
    for file in sorted_files(folder, "sql") {
        let text = read(&file);
        let mut rest = text.as_str();
        while let Some(at) = rest.find("FUNCTION ") {
            let head = &rest[..at];
            rest = &rest[at + "FUNCTION ".len()..];
            if !(head.ends_with("CREATE ") || head.ends_with("CREATE OR REPLACE ")) {
                continue;
            }
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            let Some((_, after)) = rest.split_once("$$") else { break };
            let Some((body, after)) = after.split_once("$$") else {
                break;
            };
            functions.insert(name, body.to_owned());
            rest = after;
        }
    }
    functions
}

/// `sql` followed by the bodies of the SQL functions it calls, and of those
/// they call: a function that reads a table is part of the statement that
/// calls it (`user_id_by_username(…)` reads `user_names`).
fn with_called_functions(sql: &str, functions: &BTreeMap<String, String>) -> String {
    let mut text = sql.to_owned();
    let mut added = BTreeSet::new();
    loop {
        let called: Vec<String> = words(&text)
            .into_iter()
            .filter(|word| functions.contains_key(*word) && !added.contains(*word))
            .map(str::to_owned)
            .collect();
        if called.is_empty() {
            return text;
        }
        for name in called {
            text.push('\n');
            text.push_str(&functions[&name]);
            added.insert(name);
        }
    }
}

/// The names (runs of letters, digits and `_`) in `text`.
fn words(text: &str) -> BTreeSet<&str> {
    text.split(|c: char| !is_ident(c))
        .filter(|word| !word.is_empty())
        .collect()
}

/// The tables the migrations create, in order, less those dropped, under
/// their final names. Partitions (`PARTITION OF`) and temporary tables are
/// not tables of their own.
fn migration_tables(folder: &Path) -> BTreeSet<String> {
    let mut tables = BTreeSet::new();
    for file in sorted_files(folder, "sql") {
        let text = read(&file);
        let code: Vec<&str> = text
            .split('\n')
            .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
            .collect();
        let code = code.join("\n").replace([';', '(', ')', ','], " ");
        let tokens: Vec<&str> = code.split_whitespace().collect();
        let upper: Vec<String> = tokens.iter().map(|token| token.to_ascii_uppercase()).collect();
        let mut i = 0;
        while i < tokens.len() {
            if keywords_at(&upper, i, &["CREATE", "TABLE"]) {
                let mut j = i + 2;
                if keywords_at(&upper, j, &["IF", "NOT", "EXISTS"]) {
                    j += 3;
                }
                let name = tokens.get(j).copied().unwrap_or_default();
                if is_name(name) && !keywords_at(&upper, j + 1, &["PARTITION", "OF"]) {
                    tables.insert(name.to_owned());
                }
            } else if keywords_at(&upper, i, &["DROP", "TABLE"]) {
                let mut j = i + 2;
                if keywords_at(&upper, j, &["IF", "EXISTS"]) {
                    j += 2;
                }
                if let Some(name) = tokens.get(j) {
                    tables.remove(*name);
                }
            } else if keywords_at(&upper, i, &["ALTER", "TABLE"])
                && keywords_at(&upper, i + 3, &["RENAME", "TO"])
                && let (Some(old), Some(new)) = (tokens.get(i + 2), tokens.get(i + 5))
                && tables.remove(*old)
            {
                tables.insert((*new).to_owned());
            }
            i += 1;
        }
    }
    tables
}

/// Whether `upper` (a migration's words, in capitals) has `expected` from
/// `at` on.
fn keywords_at(upper: &[String], at: usize, expected: &[&str]) -> bool {
    expected
        .iter()
        .enumerate()
        .all(|(k, word)| upper.get(at + k).map(String::as_str) == Some(*word))
}

/// The Distribution keys table of `doc`, by table.
fn key_table(doc: &str) -> Result<BTreeMap<String, Row>, String> {
    let lines: Vec<&str> = doc.split('\n').collect();
    let starts: Vec<usize> = (0..lines.len()).filter(|&at| lines[at].trim() == KEYS_HEADER).collect();
    let [start] = starts[..] else {
        return Err(format!(
            "docs/sharding.md has {} lines `{KEYS_HEADER}`, not one",
            starts.len()
        ));
    };
    let mut rows = BTreeMap::new();
    for line in lines.iter().skip(start + 2).map(|line| line.trim()) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line
            .trim_matches('|')
            .split('|')
            .map(|cell| cell.trim().trim_matches('`').trim())
            .collect();
        let [table, kind, key, with] = cells[..] else {
            return Err(format!("docs/sharding.md: `{line}` does not have four cells"));
        };
        let row = Row {
            kind: kind.to_owned(),
            key: key.to_owned(),
            with: with.to_owned(),
        };
        rows.insert(table.to_owned(), row);
    }
    Ok(rows)
}

/// Each table's co-location group, named by one of its tables: the groups
/// join tables through the Co-located with column, in either direction and
/// transitively.
fn groups(rows: &BTreeMap<String, Row>) -> BTreeMap<&str, &str> {
    let mut parent: BTreeMap<&str, &str> = rows.keys().map(|table| (table.as_str(), table.as_str())).collect();
    for (table, row) in rows {
        if row.with != NONE && parent.contains_key(row.with.as_str()) {
            let (a, b) = (root(&parent, table), root(&parent, &row.with));
            if a != b {
                parent.insert(a.max(b), a.min(b));
            }
        }
    }
    rows.keys()
        .map(|table| (table.as_str(), root(&parent, table)))
        .collect()
}

fn root<'a>(parent: &BTreeMap<&'a str, &'a str>, mut table: &'a str) -> &'a str {
    while parent[table] != table {
        table = parent[table];
    }
    table
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_ident)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// The files of `folder` whose names end in `.extension`, by name.
fn sorted_files(folder: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("reading {}: {error}", folder.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort();
    files
}
