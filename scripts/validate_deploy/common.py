"""What every section shares: the command line, the paths, and `check`,
which runs a check as it is defined and counts the outcome."""

import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1])
NGINX = sys.argv[2] or None
# The source folder of the crate with CloudNativePG's CRD types, or None.
CNPG_TYPES = Path(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
NGX = DEPLOY / "nginx"

counts = {"passed": 0, "failed": 0, "skipped": 0}


class Skip(Exception):
    """A check that cannot run here."""


def check(name):
    """Runs the decorated function at once: it returns a list of problems
    (empty or None: passed), or raises Skip."""

    def run(fn):
        try:
            problems = fn() or []
        except Skip as reason:
            print(f"skip  {name}: {reason}")
            counts["skipped"] += 1
            return fn
        except Exception as error:  # a check that crashed has failed
            problems = [f"{type(error).__name__}: {error}"]
        if problems:
            print(f"FAIL  {name}")
            for problem in problems:
                print(f"        {problem}")
            counts["failed"] += 1
        else:
            print(f"ok    {name}")
            counts["passed"] += 1
        return fn

    return run


def read(relative):
    return (ROOT / relative).read_text()


def size_bytes(text):
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text.strip())
    return int(match[1]) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match[2].lower()]
