#!/usr/bin/env python3
"""Compare `django-multidb scan --json` with CPython's own `ast` reading of a Django checkout's migrations.

    python3 scripts/compare-ast.py CHECKOUT [--python PY] [--report scan.json] [--setting NAME=app.Model]

For every migration file of the checkout (a module of a `migrations` package, as Django's
MigrationLoader lists them; folders named tests/test are fixtures and left out unless --include-tests),
three facts are checked against the scan's report:

  found         the scan lists the file as a migration
  dependencies  the same [app, name] pairs (order aside); swappable_dependency(settings.X) is
                [app label of X, "__first__"], X read from the checkout's settings (or --setting)
  replaces      the same [app, name] pairs (order aside)

It prints `X/Y facts match` and the mismatches. It fetches nothing and never runs the checkout's code:
the files are parsed, and the scan runs in static mode (`--no-db --mode static`). Values that are not
literals (a computed dependency list) are listed apart and not counted. Exit status: 0, or 2 when the
scan cannot run.
"""
from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "dist-packages", ".git", ".tox", ".venv", "venv"}
TEST_DIRS = {"tests", "test"}


def migration_files(checkout: str, include_tests: bool) -> list[str]:
    """`<pkg>/migrations/<name>.py` modules, as pkgutil.iter_modules lists them for MigrationLoader.load_disk."""
    out = []
    for dirpath, dirnames, filenames in os.walk(checkout):
        if "pyvenv.cfg" in filenames:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in SKIP_DIRS and (include_tests or d not in TEST_DIRS)
        )
        if os.path.basename(dirpath) != "migrations" or "__init__.py" not in filenames:
            continue
        for f in sorted(filenames):
            name = f[:-3]
            if not f.endswith(".py") or not name or name == "__init__" or "." in name or name[0] in "_~":
                continue
            out.append(os.path.join(dirpath, f))
    return out


def settings_literals(checkout: str, names: set[str]) -> dict[str, collections.Counter]:
    """Top-level `NAME = "literal"` in the checkout's settings-like modules (paths with settings/config)."""
    found: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for dirpath, dirnames, filenames in os.walk(checkout):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS and d not in TEST_DIRS]
        for f in filenames:
            p = os.path.join(dirpath, f)
            low = os.path.relpath(p, checkout).lower()
            if not f.endswith(".py") or not ("settings" in low or "config" in low):
                continue
            try:
                with open(p, "rb") as fh:
                    tree = ast.parse(fh.read(), p)
            except (SyntaxError, ValueError, OSError):
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    for t in node.targets:
                        if isinstance(t, ast.Name) and t.id in names:
                            found[t.id][node.value.value] += 1
    return found


def swappable_setting(node: ast.expr) -> str | None:
    """`migrations.swappable_dependency(settings.X)` / `swappable_dependency(settings.X)` → "X"."""
    if not isinstance(node, ast.Call) or len(node.args) != 1:
        return None
    f = node.func
    fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
    if fname != "swappable_dependency":
        return None
    a = node.args[0]
    if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and a.value.id == "settings":
        return a.attr
    if isinstance(a, ast.Constant) and isinstance(a.value, str):
        return "=" + a.value
    return None


class NotLiteral(Exception):
    pass


def read_pairs(node: ast.expr, swappable: dict[str, str], needs: set[str]) -> list[tuple[str, str]]:
    if not isinstance(node, (ast.List, ast.Tuple)):
        raise NotLiteral(ast.unparse(node)[:80])
    out = []
    for el in node.elts:
        s = swappable_setting(el)
        if s is not None:
            value = s[1:] if s.startswith("=") else swappable.get(s)
            if value is None:
                needs.add(s)
                raise NotLiteral(f"swappable_dependency(settings.{s}) with {s} not found in the settings")
            # django.db.migrations.swappable_dependency: (value.split(".", 1)[0], "__first__")
            out.append((value.split(".", 1)[0], "__first__"))
            continue
        try:
            v = ast.literal_eval(el)
        except ValueError:
            raise NotLiteral(ast.unparse(el)[:80]) from None
        if not (isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(x, str) for x in v)):
            raise NotLiteral(repr(v)[:80])
        out.append((v[0], v[1]))
    return out


def read_migration(path: str, swappable: dict[str, str], needs: set[str]) -> dict:
    """What CPython's ast says: {"dependencies": [...] | NotLiteral text, "replaces": ...} or {"error": ...}."""
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read(), path)
    except (SyntaxError, ValueError) as e:
        return {"error": f"ast cannot parse it (Python {sys.version_info[0]}.{sys.version_info[1]}): {e}"}
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None)
    if cls is None:
        return {"error": "no Migration class (Django raises BadMigrationError)"}
    result: dict = {"dependencies": [], "replaces": []}
    for stmt in cls.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value else []
        for t in targets:
            if isinstance(t, ast.Name) and t.id in result:
                try:
                    result[t.id] = read_pairs(stmt.value, swappable, needs)
                except NotLiteral as e:
                    result[t.id] = NotLiteral(str(e))
    return result


def run_scan(checkout: str, python: str | None, extra: list[str]) -> dict:
    node = os.environ.get("NODE", "node")
    cmd = [node, os.path.join(REPO, "bin", "django-multidb.js"), "scan", checkout, "--json", "--no-db", "--mode", "static"]
    if python:
        cmd += ["--python", python]
    cmd += extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        sys.exit(f"compare-ast: the scan failed (exit {p.returncode}): {' '.join(cmd)}")
    return json.loads(p.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout", help="the Django project (the folder the scan starts from)")
    ap.add_argument("--report", help="a saved `scan --json` report of CHECKOUT instead of running the scan")
    ap.add_argument("--python", help="interpreter passed to the scan (--python), for site-packages")
    ap.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                    help="value of a swappable setting, e.g. AUTH_USER_MODEL=users.User (default: read from the checkout)")
    ap.add_argument("--include-tests", action="store_true", help="also count migrations below tests/test folders")
    ap.add_argument("--show", type=int, default=20, help="mismatches printed per kind (default 20)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("scan_args", nargs="*", help="after --: more arguments for the scan (e.g. --settings mod)")
    a = ap.parse_args()
    checkout = os.path.abspath(a.checkout)
    if not os.path.isdir(checkout):
        sys.exit(f"compare-ast: {checkout} is not a folder")

    files = migration_files(checkout, a.include_tests)
    # swappable settings: the ones the files name, read from the checkout unless given
    wanted: set[str] = {"AUTH_USER_MODEL"}
    given = dict(s.split("=", 1) for s in a.setting if "=" in s)
    literals = settings_literals(checkout, wanted - set(given))
    swappable = {"AUTH_USER_MODEL": "auth.User"}
    notes = []
    for name, counts in literals.items():
        value, _ = counts.most_common(1)[0]
        swappable[name] = value
        if len(counts) > 1:
            notes.append(f"{name} has several values in the checkout ({', '.join(counts)}); using {value} (--setting to choose)")
    swappable.update(given)
    needs: set[str] = set()
    expected = {f: read_migration(f, swappable, needs) for f in files}
    if needs - set(swappable):
        # other swappable settings (e.g. OAUTH2_PROVIDER_APPLICATION_MODEL): look them up once and read again
        more = settings_literals(checkout, needs - set(given))
        for name, counts in more.items():
            swappable[name] = counts.most_common(1)[0][0]
        needs = set()
        expected = {f: read_migration(f, swappable, needs) for f in files}

    report = json.load(open(a.report)) if a.report else run_scan(checkout, a.python, a.scan_args)
    root = report["project"]["root"]
    scanned = {}
    for m in report["migrations"]:
        p = m["path"] if os.path.isabs(m["path"]) else os.path.join(root, m["path"])
        scanned[os.path.normpath(p)] = m

    pairs = lambda xs: sorted(tuple(x) for x in xs)
    counts = collections.Counter()
    total = collections.Counter()
    mismatches: dict[str, list[str]] = collections.defaultdict(list)
    apart: list[str] = []
    for f, exp in expected.items():
        rel = os.path.relpath(f, checkout)
        if "error" in exp:
            apart.append(f"{rel}: {exp['error']}")
            continue
        got = scanned.get(os.path.normpath(f))
        total["found"] += 1
        if got:
            counts["found"] += 1
        else:
            mismatches["found"].append(f"{rel}: not in the scan")
        for kind in ("dependencies", "replaces"):
            want = exp[kind]
            if isinstance(want, NotLiteral):
                apart.append(f"{rel}: {kind} is not a literal ({want})")
                continue
            total[kind] += 1
            if got is None:
                mismatches[kind].append(f"{rel}: not in the scan")
            elif pairs(got[kind]) == pairs(want):
                counts[kind] += 1
            else:
                have = pairs(got[kind])
                missing = [list(x) for x in pairs(want) if x not in have]
                extra = [list(x) for x in have if x not in pairs(want)]
                mismatches[kind].append(f"{rel}: ast has {len(want)}, scan {len(have)}; missing {missing[:4]} extra {extra[:4]}")
    inside = {p for p in scanned if not os.path.relpath(p, checkout).startswith("..")}
    extra_files = sorted(inside - {os.path.normpath(f) for f in expected})

    matched, facts = sum(counts.values()), sum(total.values())
    if a.json:
        print(json.dumps({
            "checkout": checkout, "files": len(files), "facts": facts, "match": matched,
            "byKind": {k: [counts[k], total[k]] for k in ("found", "dependencies", "replaces")},
            "apart": len(apart), "extraInScan": len(extra_files), "swappable": swappable,
            "mismatches": {k: v for k, v in mismatches.items()},
        }, indent=2))
        return
    print(f"{checkout}: {len(files)} migration files (ast, Python {sys.version_info[0]}.{sys.version_info[1]}), "
          f"{len(report['migrations'])} migrations in the scan")
    print(f"swappable settings: {', '.join(f'{k}={v}' for k, v in sorted(swappable.items()))}")
    for n in notes:
        print(f"note: {n}")
    for k in ("found", "dependencies", "replaces"):
        print(f"  {k:<13} {counts[k]}/{total[k]}")
        for line in mismatches[k][: a.show]:
            print(f"    {line}")
        if len(mismatches[k]) > a.show:
            print(f"    … {len(mismatches[k]) - a.show} more")
    if apart:
        print(f"  not counted ({len(apart)}):")
        for line in apart[: a.show]:
            print(f"    {line}")
    if extra_files:
        print(f"  in the scan but not expected ({len(extra_files)}), e.g. {os.path.relpath(extra_files[0], checkout)}")
    print(f"{matched}/{facts} facts match")


if __name__ == "__main__":
    main()
