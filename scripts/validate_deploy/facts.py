"""What the code says, read once: the variables the app reads, its routes,
default port, pool size and worker grace, request id header, subcommands,
metric families, asset folder, largest request body and the worker's own
Postgres connections."""

import glob
import os
import re
from pathlib import Path

from .common import ROOT, read

CONFIG_RS = "\n".join(Path(p).read_text() for p in sorted(glob.glob(str(ROOT / "server/src/config/*.rs"))))
APP_RS = "\n".join(Path(p).read_text() for p in sorted(glob.glob(str(ROOT / "app/src/**/*.rs"), recursive=True)))
STARTUP_RS = read("server/src/startup.rs")
CLI_RS = read("server/src/cli.rs")
TRACE_RS = read("server/src/http/middleware/trace.rs")
LIMITS_RS = read("server/src/http/middleware/limits.rs")
MEDIA_RS = read("server/src/media.rs")
CARGO_LOCK = read("Cargo.lock")
CARGO_TOML = read("Cargo.toml")
# Where metric families are named: one `pub const NAME: &str = "warta_…"`
# each, in server/src/monitoring/ and the cache's own.
METRICS_RS = "\n".join(Path(p).read_text() for p in sorted(glob.glob(str(ROOT / "server/src/monitoring/*.rs")))) \
    + read("app/src/ssr/cache.rs")
METRIC_FAMILIES = set(re.findall(r'pub const [A-Z_]+: &str = "(warta_[a-z0-9_]+)";', METRICS_RS))

# Variables the app reads: the names server/src/config/ (and app/src) look up.
APP_ENV = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', CONFIG_RS + APP_RS))


def aws_variables():
    """The AWS_* variables object_store's AmazonS3Builder::from_env reads,
    from the crate's source when cargo has it, else the usual ones."""
    if "AmazonS3Builder::from_env" not in MEDIA_RS:
        return set()
    version = re.search(r'name = "object_store"\nversion = "([^"]+)"', CARGO_LOCK)
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    if version:
        for builder in glob.glob(str(cargo_home / f"registry/src/*/object_store-{version[1]}/src/aws/builder.rs")):
            return {name.upper() for name in re.findall(r'"(aws_[a-z0-9_]+)"', Path(builder).read_text())}
    return {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT", "AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP", "AWS_VIRTUAL_HOSTED_STYLE_REQUEST"}


AWS_ENV = aws_variables()
KNOWN_ENV = APP_ENV | AWS_ENV
ROUTES = set(re.findall(r'\.route\("([^"]+)"', STARTUP_RS))
DEFAULT_PORT = int(re.search(r'"PORT",\s*(\d+)_u16', CONFIG_RS)[1])
DEFAULT_WORKER_GRACE = int(re.search(r'"WARTA_WORKER_GRACE_SECS",\s*(\d+)', CONFIG_RS)[1])
DEFAULT_DB_POOL = int(re.search(r'"WARTA_DB_MAX_CONNECTIONS",\s*(\d+)', CONFIG_RS)[1])
REQUEST_ID_HEADER = re.search(r'REQUEST_ID: HeaderName = HeaderName::from_static\("([^"]+)"\)', TRACE_RS)[1]
command_enum = re.search(r"pub enum Command \{(.*?)\n\}", CLI_RS, re.S)[1]
SUBCOMMANDS = {name.lower() for name in re.findall(r"^\s+([A-Z][A-Za-z]*)\s*[,(]", command_enum, re.M)}
PKG_DIR = re.search(r'\.site_pkg_dir\("([^"]+)"\)', STARTUP_RS)[1]
HASH_FILE = "hash.txt" if '"hash.txt"' in CONFIG_RS else None


def app_body_limit():
    """The largest request body the app reads before answering 413 itself:
    3 x the article limit + 64 KB, + a cover image (server/src/http/middleware/limits.rs)."""
    if "body_max * 3 + 64 * 1024" not in LIMITS_RS or "max + app::ssr::covers::MAX_BYTES" not in LIMITS_RS:
        raise RuntimeError("server/src/http/middleware/limits.rs computes its limit differently now: update this check")
    article = eval(re.search(r"pub const BODY_MAX_DEFAULT: usize = ([0-9 *]+);", APP_RS)[1])
    cover = eval(re.search(r"pub const MAX_BYTES: usize = ([0-9 *]+);", APP_RS)[1])
    return article * 3 + 64 * 1024 + cover


def worker_queue_connections():
    """The Postgres connections a worker holds beside its pool: the queue's
    own pool for claims and heartbeats, and one LISTEN connection
    (server/src/worker/mod.rs)."""
    worker = read("server/src/worker/mod.rs")
    control = re.search(r"let control = PgPoolOptions::new\(\)\s*\.max_connections\((\d+)\)", worker)
    if not control or "PgListener::connect_with" not in worker:
        raise RuntimeError("server/src/worker/mod.rs opens its queue connections differently now: update this check")
    return int(control[1]) + 1
