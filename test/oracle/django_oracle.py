#!/usr/bin/env python3
"""What REAL Django says about a multi-database project, as one JSON object.

The shape follows shared/scan-json.md (the `scan --json` report) where it can, so
tests can compare django-multidb's static analysis against Django itself.

Usage (with the venv made by scripts/python-env.sh):

    cd PROJECT_ROOT && DJANGO_SETTINGS_MODULE=mysite.settings \\
        "$PY" /path/to/test/oracle/django_oracle.py [--root DIR] [--settings MODULE]

The project root (--root, default: the current directory) is put on sys.path.
Everything the project prints while loading goes to stderr; stdout carries only the
JSON object. The script never writes to the project or its databases: no bytecode
files, SQLite opened read-only (a missing file is not created: it is reported as
reachable with everything pending), server databases in read-only transactions.
"""
import argparse
import contextlib
import copy
import json
import os
import sys
import traceback
import urllib.parse

sys.dont_write_bytecode = True  # never leave __pycache__ in the project


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=os.getcwd(), help="project root (default: cwd)")
    p.add_argument("--settings", default=None, help="settings module (default: $DJANGO_SETTINGS_MODULE)")
    p.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    return p.parse_args()


def rel_or_abs(path, root):
    """A path relative to root with forward slashes when inside it, else absolute."""
    if path is None:
        return None
    path = os.path.realpath(path)
    root_real = os.path.realpath(root)
    try:
        common = os.path.commonpath([path, root_real])
    except ValueError:
        common = None
    if common == root_real:
        return os.path.relpath(path, root_real).replace(os.sep, "/")
    return path


def dotted(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def model_label(model):
    return f"{model._meta.app_label}.{model._meta.object_name}"


# --------------------------------------------------------------------------- databases

def sqlite_file(name):
    """(path or None, in_memory) for a sqlite NAME as Django would open it."""
    name = str(name)
    if name == ":memory:" or name == "":
        return None, True
    if name.startswith("file:"):
        parsed = urllib.parse.urlparse(name)
        query = urllib.parse.parse_qs(parsed.query)
        if "memory" in query.get("mode", []):
            return None, True
        path = urllib.parse.unquote(parsed.path or name[len("file:"):].split("?", 1)[0])
        return os.path.abspath(path), False
    return os.path.abspath(name), False


def make_read_only(conn):
    """Adjust a not-yet-connected DatabaseWrapper so that it can only read.

    Works on a copy: settings.DATABASES (shared with the wrapper) stays as configured."""
    sd = conn.settings_dict = copy.deepcopy(conn.settings_dict)
    vendor = conn.vendor
    opts = sd.setdefault("OPTIONS", {})
    if vendor == "sqlite":
        path, memory = sqlite_file(sd["NAME"])
        if not memory:
            # Django always passes uri=True to sqlite3.connect.
            sd["NAME"] = "file:" + urllib.parse.quote(path) + "?mode=ro"
    elif vendor == "postgresql":
        extra = "-c default_transaction_read_only=on"
        opts["options"] = (opts.get("options", "") + " " + extra).strip()
        opts.setdefault("connect_timeout", 5)
    elif vendor == "mysql":
        opts.setdefault("init_command", "SET SESSION TRANSACTION READ ONLY")
        opts.setdefault("connect_timeout", 5)


def database_rows(settings, root):
    rows = []
    for alias, cfg in settings.DATABASES.items():
        name = cfg.get("NAME")
        row = {
            "alias": alias,
            "engine": cfg.get("ENGINE"),
            "name": None if name is None else str(name),
        }
        if name is not None and str(cfg.get("ENGINE", "")).endswith("sqlite3"):
            path, memory = sqlite_file(name)
            row["nameRelative"] = None if memory else rel_or_abs(path, root)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- routing

def ask_routers(router, alias, model, configured):
    """(answer, decided_by_index) from the router chain's allow_migrate, as Django asks it
    in router.allow_migrate_model(alias, model)."""
    for i, r in enumerate(router.routers):
        try:
            method = r.allow_migrate
        except AttributeError:
            continue
        answer = method(alias, model._meta.app_label, model_name=model._meta.model_name, model=model)
        if answer is not None:
            return answer, i
    return None, None


def router_path(router, index, configured):
    if index is None:
        return None
    if index < len(configured) and isinstance(configured[index], str):
        return configured[index]
    return dotted(router.routers[index])


def routing_rows(aliases, models, router, configured):
    rows = []
    lives = {}  # (alias, label) -> bool
    migrates = {}
    for alias in aliases:
        for model in models:
            label = model_label(model)
            row = {"alias": alias, "model": label}
            try:
                answer, idx = ask_routers(router, alias, model, configured)
                lives[(alias, label)] = answer is None or bool(answer)
                real = router.allow_migrate_model(alias, model)  # Django's own answer
                opts = model._meta
                if opts.proxy:
                    migrate, reason, decided = False, "proxy", None
                elif opts.swapped:
                    migrate, reason, decided = False, "swapped", None
                elif not opts.managed:
                    migrate, reason, decided = False, "unmanaged", None
                elif not opts.can_migrate(alias):
                    migrate, reason, decided = False, "vendor", None
                else:
                    migrate = bool(real)
                    reason = "default" if idx is None else "router"
                    decided = router_path(router, idx, configured)
                    if bool(answer if idx is not None else True) != migrate:
                        raise AssertionError(f"router chain disagrees with Django for {alias} {label}")
                row.update({
                    "migrate": migrate,
                    "decidedBy": decided,
                    "reason": reason,
                    "lives": lives[(alias, label)],
                    # what the router chain answers whatever the model's Meta says
                    "routerAnswer": bool(real),
                    "routerDecidedBy": router_path(router, idx, configured),
                })
            except Exception as e:  # a router that raises
                row.update({"migrate": None, "decidedBy": None, "reason": "error",
                            "lives": None, "error": f"{type(e).__name__}: {e}"})
                lives[(alias, label)] = None
            migrates[(alias, label)] = row["migrate"]
            rows.append(row)
    return rows, lives, migrates


# --------------------------------------------------------------------------- migrations

def migration_rows(loader, root):
    rows = []
    for (app, name), mig in sorted(loader.disk_migrations.items()):
        mod = sys.modules.get(type(mig).__module__)
        path = getattr(mod, "__file__", None)
        rows.append({
            "app": app,
            "name": name,
            "path": rel_or_abs(path, root) if path else None,
            "dependencies": [[a, n] for a, n in mig.dependencies],
            "runBefore": [[a, n] for a, n in getattr(mig, "run_before", [])],
            "replaces": [[a, n] for a, n in (mig.replaces or [])],
            "initial": mig.initial,
        })
    return rows


STATE_ONLY = {"AlterModelOptions", "AlterModelManagers"}


def operation_rows(loader, aliases, connections, router):
    """Where each operation runs, per alias, as Django's executor decides it (database_forwards' guards)."""
    from django.db.migrations.operations.base import Operation
    from django.db.migrations import RunPython, RunSQL, SeparateDatabaseAndState
    try:
        from django.contrib.postgres.operations import CreateExtension, CreateCollation, RemoveCollation
        postgres_ops = (CreateExtension, CreateCollation, RemoveCollation)
    except Exception:  # psycopg missing
        postgres_ops = ()
    rows = []

    def model_of(op, app, from_state, to_state):
        names = [getattr(op, n) for n in ("new_name_lower", "name_lower", "model_name_lower") if hasattr(op, n)]
        for state in (to_state, from_state):
            for name in names:
                try:
                    return state.apps.get_model(app, name)
                except LookupError:
                    continue
        return None

    def visit(key, app, index, op, from_state):
        to_state = from_state.clone()
        op.state_forwards(app, to_state)
        kind = type(op).__name__
        if isinstance(op, SeparateDatabaseAndState):
            state = from_state
            for i, sub in enumerate(op.database_operations):
                state = visit(key, app, "%s.%d" % (index, i), sub, state)
            if not op.database_operations:
                rows.append({"migration": key, "index": index, "kind": kind, "runs": {a: False for a in aliases}})
            return to_state
        runs = {}
        for alias in aliases:
            if kind in STATE_ONLY:
                runs[alias] = False
            elif isinstance(op, (RunPython, RunSQL)):
                runs[alias] = bool(router.allow_migrate(alias, app, **op.hints))
            elif postgres_ops and isinstance(op, postgres_ops):
                runs[alias] = connections[alias].vendor == "postgresql" and bool(router.allow_migrate(alias, app))
            else:
                model = model_of(op, app, from_state, to_state)
                runs[alias] = None if model is None else bool(Operation.allow_migrate_model(op, alias, model))
        rows.append({"migration": key, "index": index, "kind": kind, "runs": runs})
        return to_state

    for (app, name), mig in sorted(loader.disk_migrations.items()):
        if (app, name) not in loader.graph.nodes:
            continue
        state = loader.project_state((app, name), at_end=False)
        for i, op in enumerate(mig.operations):
            state = visit("%s.%s" % (app, name), app, str(i), op, state)
    return rows


def alias_plan(alias, connections, root):
    """(status, plan) for one alias, reading only."""
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections[alias]
    if conn.vendor == "sqlite":
        path, memory = sqlite_file(conn.settings_dict["NAME"])
        if not memory and not os.path.exists(path):
            # Django would create it on connect: don't. Nothing is applied there.
            executor = MigrationExecutor(None)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            return ({"reachable": True, "applied": 0, "error": None, "exists": False},
                    [f"{m.app_label}.{m.name}" for m, _backwards in plan])
    make_read_only(conn)
    try:
        executor = MigrationExecutor(conn)
        recorder = MigrationRecorder(conn)
        applied = recorder.migration_qs.count() if recorder.has_table() else 0
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        status = {"reachable": True, "applied": applied, "error": None}
        if conn.vendor == "sqlite":
            status["exists"] = True
        return status, [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    except Exception as e:
        msg = str(e).strip() or type(e).__name__
        return {"reachable": False, "applied": None, "error": f"{type(e).__name__}: {msg}"}, None
    finally:
        try:
            conn.close()
        except Exception:
            pass


# --------------------------------------------------------------------------- diagnostics

def cross_db_fks(aliases, models, lives, migrates):
    from django.db import models as djm

    out = []
    for model in models:
        label = model_label(model)
        for field in model._meta.get_fields(include_parents=True):
            if not isinstance(field, (djm.ForeignKey, djm.ManyToManyField)):
                continue  # OneToOneField is a ForeignKey; reverse relations/GFKs are skipped
            target = field.related_model
            if target is None or isinstance(target, str):
                continue
            target_label = model_label(target)
            for alias in aliases:
                if migrates.get((alias, label)) is not True:
                    continue
                if lives.get((alias, target_label)) is False:
                    out.append({
                        "code": "cross-db-foreign-key",
                        "model": label,
                        "field": field.name,
                        "target": target_label,
                        "alias": alias,
                        "kind": type(field).__name__,
                        "dbConstraint": getattr(field, "db_constraint", True),
                        "parentLink": bool(getattr(field.remote_field, "parent_link", False)),
                        "inherited": field.model is not model,
                    })
    return out


# --------------------------------------------------------------------------- main

def build(root, settings_module):
    import django
    from django.apps import apps
    from django.conf import settings
    from django.db import connections, router
    from django.db.migrations.loader import MigrationLoader

    django.setup()

    configured = list(getattr(settings, "DATABASE_ROUTERS", []))
    aliases = list(settings.DATABASES)
    models = []
    model_rows = []
    for app_config in apps.get_app_configs():
        for model in app_config.get_models(include_swapped=True):
            opts = model._meta
            mod = sys.modules.get(model.__module__)
            path = getattr(mod, "__file__", None)
            models.append(model)
            model_rows.append({
                "app": opts.app_label,
                "name": opts.object_name,
                "managed": opts.managed,
                "proxy": opts.proxy,
                "swapped": bool(opts.swapped),
                "table": opts.db_table,
                "path": rel_or_abs(path, root) if path else None,
            })

    routing, lives, migrates = routing_rows(aliases, models, router, configured)

    # Related models that are not listed (e.g. a swapped-in user model's target) still need "lives".
    for model in models:
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if target is None or isinstance(target, str) or not field.concrete:
                continue
            for alias in aliases:
                key = (alias, model_label(target))
                if key not in lives:
                    answer, _ = ask_routers(router, alias, target, configured)
                    lives[key] = answer is None or bool(answer)

    loader = MigrationLoader(None, ignore_no_migrations=True)
    conflicts = {app: sorted(names) for app, names in loader.detect_conflicts().items()}

    databases = database_rows(settings, root)
    status, plan = {}, {}
    for alias in aliases:
        status[alias], plan[alias] = alias_plan(alias, connections, root)

    return {
        "version": 1,
        "oracle": True,
        "django": django.get_version(),
        "project": {"root": root, "settingsModule": settings_module},
        "databases": databases,
        "routers": [c if isinstance(c, str) else dotted(c) for c in configured],
        "models": model_rows,
        "routing": routing,
        "migrations": migration_rows(loader, root),
        "operations": operation_rows(loader, aliases, connections, router),
        "conflicts": conflicts,
        "status": status,
        "plan": plan,
        "diagnostics": cross_db_fks(aliases, models, lives, migrates),
    }


def main():
    args = parse_args()
    root = os.path.abspath(args.root)
    settings_module = args.settings or os.environ.get("DJANGO_SETTINGS_MODULE")
    if not settings_module:
        print("django_oracle: set DJANGO_SETTINGS_MODULE or pass --settings", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.chdir(root)
    if root not in sys.path:
        sys.path.insert(0, root)

    real_stdout = sys.stdout
    try:
        # Anything the project prints must not end up in the JSON stream.
        with contextlib.redirect_stdout(sys.stderr):
            report = build(root, settings_module)
    except Exception:
        traceback.print_exc()
        return 1
    json.dump(report, real_stdout, indent=args.indent, default=str)
    real_stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
