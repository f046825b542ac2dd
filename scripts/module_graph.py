#!/usr/bin/env python3
"""The module dependency graph of the `app` and `server` crates, from their
sources (stdlib only: nothing is built). One node per module file (main.rs
is `server::main`); A -> B when A names something in B, by a `use` or by a
path in code, resolved to the deepest module file and through re-exports to
where the item lives. `mod x;` is no edge (declaring is not importing), and
`#[cfg(test)]` items are skipped.

    scripts/module_graph.py [--upward] [--edges] [ROOT]

Prints each cycle with the file:line of its edges and exits 1 if there is
one; --upward also lists imports from server-only `app::ssr` into UI code
(and from the shared modules into UI code), and exits 1 if there is one of
those too. scripts/check.sh runs it with --upward."""

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

# (node prefix, crate root); and the names the other crates use for them.
CRATES = [("app", "app/src/lib.rs"), ("server", "server/src/lib.rs"), ("server::main", "server/src/main.rs")]
EXTERN = {"app": "app", "warta": "server"}
# Modules of `app` that are neither UI nor server-only, so `app::ssr` may
# use them: model (data shapes the server sends the browser), domain
# (validated field types; std only), error (AppError, what every server
# function returns, which ssr code converts its errors into) and site (the
# site's name and public origin; no imports) and i18n (the languages and
# their catalogues, which pages, server functions and emails all read). The
# crate root is not among them: lib.rs is the App component, shell and routes.
SHARED = ("app::model", "app::domain", "app::error", "app::site", "app::i18n")

TOKEN = re.compile(r"""
    (?P<space>\s+) | (?P<comment>//[^\n]*) | (?P<block>/\*)
  | (?P<raw>b?r(?P<hashes>\#*)".*?"(?P=hashes)) | (?P<str>b?"(?:\\.|[^"\\])*")
  | (?P<char>b?'(?:\\(?:u\{[^}]*\}|x..|.)|[^\\'])') | (?P<lifetime>'\w+)
  | (?P<ident>[A-Za-z_]\w*) | (?P<sep>::) | (?P<punct>.)
""", re.X | re.S)


def tokens(text):
    """(token, line) pairs; comments and literals dropped (a doc link like
    [`crate::x`] is not a dependency)."""
    out, pos, line = [], 0, 1
    while pos < len(text):
        m = TOKEN.match(text, pos)
        kind, end = m.lastgroup, m.end()
        if kind == "block":  # block comments nest in Rust, which a regex cannot follow
            depth = 1
            while depth and end < len(text):
                pair = text[end:end + 2]
                depth += (pair == "/*") - (pair == "*/")
                end += 2 if pair in ("/*", "*/") else 1
        elif kind in ("ident", "sep", "punct"):
            out.append((m.group(), line))
        line += text.count("\n", pos, end)
        pos = end
    return out + [("EOF", line)] * 3  # so look-ahead never runs off the end


def skip_item(toks, i, ends=";}"):
    """The index past the item at i (its `;` or closing brace; ends="]":
    past an attribute)."""
    depth = 0
    while i < len(toks):
        t = toks[i][0]
        depth += (t in "([{") - (t in ")]}")
        i += 1
        if depth == 0 and t in ends:
            break
    return i


def parse_use(toks, i, prefix, leaves):
    """Parses the use tree at i into (segments, line, binding) leaves (the
    leaf's own line: groups span lines); returns the index after it."""
    segs = list(prefix)
    while i < len(toks):
        t, line = toks[i]
        if t == "{":
            i += 1
            while toks[i][0] != "}":
                i = parse_use(toks, i, segs, leaves)
                i += toks[i][0] == ","
            return i + 1
        if t == "*":
            leaves.append((segs, line, None))
            return i + 1
        i += 1
        if t == "::":
            continue
        segs.append(t)
        if toks[i][0] != "::":
            if segs[-1] == "self":  # `a::{self, b}` imports `a`
                segs.pop()
            binding = segs[-1] if segs else None
            if toks[i][0] == "as":
                binding, i = toks[i + 1][0], i + 2
            leaves.append((segs, line, binding))
            return i
    return i


class Module:
    def __init__(self, crate, path, file):
        self.crate, self.path, self.file, self.name = crate, path, file, "::".join([crate] + path)
        self.children, self.uses, self.paths = set(), [], []  # uses: (scope, segs, line, binding)
        self.macros = set()  # `#[macro_export]` macros declared here


def scan(module, toks):
    """Collects a file's uses and code paths, tracking inline `mod x { }` so
    `super::` inside one means the file's module, skipping test-only items."""
    scopes, depth, attrs, i = [(module.path, -1)], 0, [], 0
    while i < len(toks):
        t, line = toks[i]
        scope = scopes[-1][0]
        if t == "#" and toks[i + 1][0] == "[":
            end = skip_item(toks, i + 1, "]")
            attrs.append([x for x, _ in toks[i + 2:end - 1]])
            i = end
            continue
        if t not in ("pub", "(", "crate", "super", ")") and any(
                a[:1] == ["cfg"] and "test" in a and "not" not in a for a in attrs):
            i, attrs = skip_item(toks, i), []
            continue
        if t in ";{}":
            attrs = []
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if scopes[-1][1] == depth:
                scopes.pop()
        elif t == "macro_rules" and ["macro_export"] in attrs:
            module.macros.add(toks[i + 2][0])
        elif t == "mod" and toks[i + 2][0] == ";":
            module.children.add(toks[i + 1][0])
        elif t == "mod" and toks[i + 2][0] == "{":
            scopes.append((scope + [toks[i + 1][0]], depth))
        elif t == "use":
            leaves = []
            i = parse_use(toks, i + 1, [], leaves)
            module.uses += [(scope, *leaf) for leaf in leaves if leaf[0]]
            continue
        elif re.match(r"[a-z_]\w*$", t) and toks[i + 1][0] == "::" and toks[i - 1][0] != "::":
            segs = [t]  # any head: absolute() decides which name our modules
            while toks[i + 1][0] == "::" and re.match(r"\w+$", toks[i + 2][0]):
                segs.append(toks[i + 2][0])
                i += 2
            module.paths.append((scope, segs, line))
        i += 1


def load(root):
    """Module files reachable through `mod x;` (others are not compiled)."""
    modules = {}
    for crate, rel in CRATES:
        todo = [([], root / rel)]
        while todo:
            path, file = todo.pop()
            module = modules[(crate, tuple(path))] = Module(crate, path, file)
            scan(module, tokens(file.read_text()))
            here = file.parent if file.name in ("lib.rs", "main.rs", "mod.rs") else file.with_suffix("")
            for child in module.children:
                found = [f for f in (here / f"{child}.rs", here / child / "mod.rs") if f.exists()]
                todo += [(path + [child], found[0])] if found else []
    return modules


class Graph:
    def __init__(self, modules, root):
        self.modules, self.root = modules, root
        self.edges = defaultdict(list)  # (from, to) -> [(file, line), ...]
        # What each module's `use`s bind: name -> ((crate, path), [lines]).
        self.bindings = defaultdict(dict)
        # An exported macro is named at the crate's root but belongs to the
        # module that declares it, as if the root re-exported it.
        for m in modules.values():
            for name in m.macros:
                self.bindings[m.crate].setdefault(name, ((m.crate, m.path + [name]), []))
        for m in modules.values():
            for scope, segs, line, binding in m.uses:
                if binding and (target := self.absolute(m, scope, segs, {})):
                    self.bindings[m.name].setdefault(binding, (target, []))[1].append(line)
        for m in modules.values():
            aliases = self.bindings[m.name]
            for scope, segs, line, binding in m.uses:
                target = self.absolute(m, scope, segs, aliases)
                # `use crate::ssr::queries;` only names a namespace: the edge
                # goes to whichever module the code then reaches through it.
                if not (binding and target and (target[0], tuple(target[1])) in modules):
                    self.add(m, target, line)
            for scope, segs, line in m.paths:
                alias = aliases.get(segs[0]) if scope == m.path else None
                self.add(m, self.absolute(m, scope, segs, aliases), line, alias)

    def absolute(self, m, scope, segs, aliases):
        """(crate, segments from its root); None for std, deps, locals."""
        head, rest = segs[0], list(segs[1:])
        if head == "crate":
            return m.crate, rest
        if head in ("self", "super"):
            base, rest = list(scope), list(segs)
            while rest and rest[0] in ("self", "super"):
                if rest.pop(0) == "super" and base:
                    base.pop()
            return m.crate, base + rest
        if head in EXTERN and m.crate != EXTERN[head]:
            return EXTERN[head], rest
        if scope == m.path and head in m.children:  # `child::x` in the parent (2018 paths)
            return m.crate, scope + [head] + rest
        if head in aliases:
            crate, path = aliases[head][0]
            return crate, path + rest
        return None

    def resolve(self, crate, segs, hops=0):
        """The deepest module file `segs` names; an item a module only imports
        resolves to its source: a facade (`pub use x::A`) is no dependency."""
        k = next(k for k in range(len(segs), -1, -1) if (crate, tuple(segs[:k])) in self.modules)
        m = self.modules[(crate, tuple(segs[:k]))]
        source = self.bindings[m.name].get(segs[k]) if k < len(segs) else None
        if source and hops < 8:  # a re-export of a re-export; 8 is plenty
            (crate, path), _ = source
            return self.resolve(crate, path + segs[k + 1:], hops + 1)
        return m

    def add(self, m, target, line, alias=None):
        to = target and self.resolve(*target)
        if alias and to and (to.crate, to.path) == alias[0]:
            # Items of a module a `use` imported: cite that `use` (the
            # nearest before, for uses inside functions), as for any import.
            line = max([n for n in alias[1] if n <= line] or alias[1][:1])
        if to and to.name != m.name:
            self.edges[(m.name, to.name)].append((str(m.file.relative_to(self.root)), line))

    def cycles(self):
        """Strongly connected components of 2+ modules: what each module
        reaches and is reached back from (some 70 nodes: brute force will do)."""
        succ, reach = defaultdict(set), {}
        for a, b in self.edges:
            succ[a].add(b)
        for v in list(succ):
            reach[v], todo = set(), [v]
            while todo:
                new = succ[todo.pop()] - reach[v]
                reach[v] |= new
                todo += new
        found = {tuple(sorted({v} | {w for w in r if v in reach.get(w, ())})) for v, r in reach.items()}
        return sorted(c for c in found if len(c) > 1)


def show(edges, keys, title):
    print(title)
    for a, b in sorted(keys):
        sites = sorted(set(edges[(a, b)]))
        print(f"  {a} -> {b}   {', '.join(f'{file}:{line}' for file, line in sites)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--upward", action="store_true", help="list app::ssr imports from UI modules")
    parser.add_argument("--edges", action="store_true", help="print every edge")
    args = parser.parse_args()
    graph = Graph(load(args.root), args.root)
    if args.edges:
        show(graph.edges, graph.edges, f"{len(graph.edges)} edges:")
    cycles = graph.cycles()
    for n, c in enumerate(cycles, 1):
        show(graph.edges, [e for e in graph.edges if {*e} <= {*c}], f"cycle {n} ({len(c)} modules): {', '.join(c)}")
    print(f"{len(cycles)} cycles")
    if args.upward:
        def ui(name):
            return name.split("::")[0] == "app" and not name.startswith(("app::ssr",) + SHARED)

        upward = [e for e in graph.edges if e[0].startswith("app::ssr") and ui(e[1])]
        show(graph.edges, upward, f"{len(upward)} upward imports from app::ssr into UI modules")
        # A shared module importing UI code would launder the very
        # dependency the exception is there to rule out.
        laundered = [e for e in graph.edges if e[0].startswith(SHARED) and ui(e[1])]
        show(graph.edges, laundered, f"{len(laundered)} imports from shared modules into UI modules")
        if upward or laundered:
            return 1
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
