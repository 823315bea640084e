#!/usr/bin/env python
"""django-multidb helper: ask Django itself how a multi-database project routes and migrates.

Shipped with the django-multidb VS Code extension and command line tool. It is run with the project's own
interpreter, cwd = the folder of manage.py, DJANGO_SETTINGS_MODULE set, and prints ONE JSON object on stdout.

    python django_helper.py report [--settings MOD] [--project DIR] [--database ALIAS ...] [--no-databases]
    python django_helper.py sql APP NAME --database ALIAS [--settings MOD] [--project DIR]

Only reads: nothing is migrated or written. SQLite files are opened read-only (a missing file is never
connected to, so it is not created), PostgreSQL sessions are read-only with a 5 s connect timeout, MySQL
sessions get a connect timeout and a read-only session. No dependencies beyond Django (4.2 to 5.2+).
Configured passwords are removed from everything printed. Errors print {"error": {kind, message, traceback}}
and exit with code 3.
"""
import argparse
import inspect
import json
import os
import re
import sys
import time
import traceback

sys.dont_write_bytecode = True  # never write __pycache__ into the project

HELPER_VERSION = 1
EXIT_ERROR = 3

_REAL_STDOUT = sys.stdout
_SECRETS = []  # configured passwords and secret-looking OPTIONS values, longest first
_SECRET_KEYS = ("pass", "secret", "token", "credential", "key")


# ---------------------------------------------------------------------------------------------------------------
# Output, secrets, errors


def _secret_variants(value):
    out = {value}
    try:
        from urllib.parse import quote, quote_plus

        out.add(quote(value, safe=""))
        out.add(quote_plus(value))
    except Exception:
        pass
    out.add(repr(value)[1:-1])
    out.add(json.dumps(value)[1:-1])
    return [v for v in out if v]


def _add_secret(value):
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8", "replace")
        except Exception:
            return
    if not isinstance(value, str) or not value:
        return
    for v in _secret_variants(value):
        if v not in _SECRETS:
            _SECRETS.append(v)
    _SECRETS.sort(key=len, reverse=True)


def _collect_secrets(databases):
    """Every PASSWORD (also TEST's) and every OPTIONS value whose key looks secret."""
    if not isinstance(databases, dict):
        return
    for alias, conf in databases.items():
        if not isinstance(conf, dict):
            continue
        # a password equal to the entry's NAME, USER, HOST or alias (postgres://postgres:postgres@…/postgres) is
        # printed as that anyway: masking it would garble every name containing the word and hide nothing (as the
        # extension's own redaction does, core/redact.ts secretsOfDatabases)
        shown = {str(x) for x in (conf.get("NAME"), conf.get("USER"), conf.get("HOST"), alias) if x}

        def add(v):
            if v is not None and str(v) not in shown:
                _add_secret(v)

        add(conf.get("PASSWORD"))
        test = conf.get("TEST")
        if isinstance(test, dict):
            add(test.get("PASSWORD"))
        options = conf.get("OPTIONS")
        if isinstance(options, dict):
            for k, v in options.items():
                if any(s in str(k).lower() for s in _SECRET_KEYS):
                    add(v if isinstance(v, (str, bytes)) else str(v))


# Same patterns as src/core/redact.ts: a settings line that fails is quoted in its traceback before any value is
# known, so URL userinfo and PASSWORD-like literals are masked by shape too.
_URL_USERINFO = re.compile(r"\b([a-z][a-z0-9+.-]*://[^\s:/@'\"]*:)([^\s/'\"]*)@", re.I)
_KEY_VALUE = re.compile(
    r"((['\"]?)\b[A-Za-z0-9_-]*(?:password|passwd|pwd)\2\s*[:=]\s*)"
    r"(?:(['\"])((?:\\.|(?!\3)[^\\\n])*)\3|([^\s,;)}\]'\"]+))",
    re.I,
)
_CODE_VALUE = re.compile(r"^(?:os\.|env\b|environ\b|config\b|get\b|None\b|null\b|true\b|false\b|True\b|False\b|\*+$)")


def _mask_pair(m):
    head, q, quoted, bare = m.group(1), m.group(3), m.group(4), m.group(5)
    if q is not None:
        return "%s%s********%s" % (head, q, q) if quoted else m.group(0)
    if bare is None or _CODE_VALUE.match(bare):
        return m.group(0)
    return head + "********"


def scrub_patterns(text):
    text = _URL_USERINFO.sub(lambda m: m.group(1) + ("********@" if m.group(2) else "@"), text)
    return _KEY_VALUE.sub(_mask_pair, text)


_SHORT_RES = {}


def _short_re(secret):
    """A secret of 1-3 characters as a token of its own (not each "p" of every word and path)."""
    r = _SHORT_RES.get(secret)
    if r is None:
        r = _SHORT_RES[secret] = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(secret) + r"(?![A-Za-z0-9_])")
    return r


def scrub(text):
    """Free text (stderr, tracebacks, error messages): every occurrence of a secret is masked (one of fewer than
    four characters where it stands alone)."""
    if not isinstance(text, str):
        return text
    for s in _SECRETS:
        if s in text:
            text = text.replace(s, "********") if len(s) >= 4 else _short_re(s).sub("********", text)
    return scrub_patterns(text)


# The report's free text (errors, tracebacks, SQL, Django's descriptions of operations): every occurrence of a
# configured secret is masked there. Elsewhere the report holds identifiers (keys, aliases, ENGINEs, NAMEs, labels,
# paths): a secret is not searched inside them, only secret-shaped text (URL userinfo, password=…). A PASSWORD "p"
# masked inside every key left the report without its fields, and "postgres" turned the ENGINE into
# django.db.backends.********ql (Flagsmith's review).
_FREE_TEXT = frozenset(("error", "message", "traceback", "historyError", "describe", "sql", "stderr", "detail", "note"))
# the configured values of a database entry (`databases`: NAME, HOST, USER may be built from the password)
_CONFIGURED = frozenset(("databases",))


def _scrub_obj(obj, free=False):
    if isinstance(obj, str):
        return scrub(obj) if free else scrub_patterns(obj)
    if isinstance(obj, dict):
        return {k: _scrub_obj(v, free or k in _FREE_TEXT) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_scrub_obj(v, free) for v in obj]
    return obj


def _scrub_entry(entry):
    """A database entry: its configured values as free text, not its alias or ENGINE (a PASSWORD "postgres" inside
    django.db.backends.postgresql)."""
    if not isinstance(entry, dict):
        return _scrub_obj(entry)
    return {f: _scrub_obj(x, isinstance(x, str) and f not in ("alias", "engine")) for f, x in entry.items()}


def _scrub_report(obj):
    if not isinstance(obj, dict):
        return _scrub_obj(obj)
    return {k: [_scrub_entry(e) for e in v] if k in _CONFIGURED and isinstance(v, list) else _scrub_obj(v, k in _FREE_TEXT) for k, v in obj.items()}


class _ScrubbingStream:
    """stderr (and the redirected stdout of project code) with configured secrets removed. Until the settings
    are loaded (and so the secrets known) everything is held back."""

    def __init__(self, stream):
        self._stream = stream
        self._held = []

    def write(self, s):
        if not isinstance(s, str):
            s = str(s)
        if self._held is not None:
            self._held.append(s)
            return len(s)
        return self._stream.write(scrub(s))

    def release(self):
        held, self._held = self._held, None
        if held:
            self._stream.write(scrub("".join(held)))

    def flush(self):
        try:
            self._stream.flush()
        except Exception:  # noqa: BLE001
            pass

    def isatty(self):
        return False

    def __getattr__(self, name):
        return getattr(self._stream, name)


_ERR = _ScrubbingStream(sys.stderr)


def emit(obj, code=0):
    text = json.dumps(_scrub_report(obj), default=str, ensure_ascii=False)
    try:
        out = _REAL_STDOUT
        out.write(text + "\n")
        out.flush()
    finally:
        try:
            _ERR.release()
            _ERR.flush()
        except Exception:  # noqa: BLE001
            pass
        try:
            _close_all()
            _remove_temp_dirs()
        except Exception:  # noqa: BLE001
            pass
        # never wait for non-daemon threads started by project code
        os._exit(code)


def _close_all():
    """Close Django's connections before a private copy of a SQLite file is removed."""
    if "django.db" in sys.modules:
        from django.db import connections

        for conn in connections.all(initialized_only=True) if _accepts_initialized_only(connections) else connections.all():
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass


def _accepts_initialized_only(connections):
    try:
        return "initialized_only" in inspect.signature(connections.all).parameters
    except (TypeError, ValueError):
        return False


def fail(kind, message, exc=None):
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) if exc is not None else ""
    emit({"helperVersion": HELPER_VERSION, "error": {"kind": kind, "message": message, "traceback": tb}}, EXIT_ERROR)


def _module_missing(name):
    """Whether no file of module `name` (a.b → a/b.py, a/b/__init__.py) is on sys.path (or under the working directory)."""
    rel = os.path.join(*name.split("."))
    for p in sys.path + [os.getcwd()]:
        base = os.path.join(p or os.getcwd(), rel)
        if os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py")) or os.path.isdir(base):
            return False
    return True


def _exc_message(e):
    msg = str(e).strip()
    return "%s: %s" % (type(e).__name__, msg) if msg else type(e).__name__


# ---------------------------------------------------------------------------------------------------------------
# Setup


def setup(args):
    """Import settings and Django; return nothing or exit with a JSON error."""
    project = os.path.abspath(args.project or os.getcwd())
    # Started isolated (-I) in a folder outside the project, so nothing of the project shadowed the stdlib while
    # Python started. Now stand where manage.py runs: its folder first on sys.path, then PYTHONPATH (which -I
    # ignores; passed on as DJANGO_MULTIDB_PYTHONPATH), and the cwd for relative SQLite NAMEs.
    extra = [p for p in os.environ.get("DJANGO_MULTIDB_PYTHONPATH", "").split(os.pathsep) if p]
    for i, entry in enumerate([project] + [os.path.abspath(os.path.join(project, p)) for p in extra]):
        if entry not in sys.path:
            sys.path.insert(i, entry)
    os.chdir(project)
    if args.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    # prints of project code must not corrupt our JSON, and are held back until the secrets are known
    sys.stderr = _ERR
    sys.stdout = _ERR
    try:
        import django
    except Exception as e:  # noqa: BLE001
        fail("django", "Django cannot be imported by %s: %s" % (sys.executable, _exc_message(e)), e)
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        fail("settings", "DJANGO_SETTINGS_MODULE is not set")
    try:
        from django.conf import settings
    except Exception as e:  # noqa: BLE001 (a Django installed without its dependencies: asgiref, sqlparse)
        fail("django", "Django cannot be imported by %s: %s" % (sys.executable, _exc_message(e)), e)

    # django-configurations: the settings are the class DJANGO_CONFIGURATION names, made by its importer, which the
    # project's manage.py installs (its settings module refuses to load without it)
    if os.environ.get("DJANGO_CONFIGURATION"):
        try:
            from configurations import importer
        except ImportError:
            pass
        else:
            importer.install()
    try:
        settings.INSTALLED_APPS  # imports the settings module
        databases = settings.DATABASES
    except BaseException as e:  # SystemExit from a settings module too
        name = os.environ.get("DJANGO_SETTINGS_MODULE")
        if _module_missing(name):
            # a settings module that does not exist, whose package fails to import first (RapidPro's temba/__init__.py
            # imports celery): the missing module is the cause to give
            rel = name.replace(".", "/")
            also = "" if isinstance(e, ModuleNotFoundError) and e.name == name else "; importing it failed first with %s" % _exc_message(e)
            fail("settings", "settings module %s does not exist (no %s.py or %s/__init__.py on the path)%s" % (name, rel, rel, also), e)
        fail("settings", "settings module %s cannot be loaded: %s" % (name, _exc_message(e)), e)
    _collect_secrets(databases)
    _ERR.release()
    try:
        django.setup()
    except BaseException as e:
        kind = "import" if isinstance(e, ImportError) else "setup"
        fail(kind, "django.setup() failed: %s" % _exc_message(e), e)
    from django.db import router

    try:
        router.routers
    except BaseException as e:
        kind = "import" if isinstance(e, ImportError) else "router"
        fail(kind, "DATABASE_ROUTERS cannot be loaded: %s" % _exc_message(e), e)


def router_paths():
    """(dotted path, router instance) in order, named as DATABASE_ROUTERS names them."""
    from django.conf import settings
    from django.db import router

    configured = list(getattr(settings, "DATABASE_ROUTERS", []) or [])
    out = []
    for i, r in enumerate(router.routers):
        entry = configured[i] if i < len(configured) else None
        if isinstance(entry, str):
            name = entry
        else:
            cls = type(r)
            name = "%s.%s" % (cls.__module__, cls.__qualname__)
        out.append((name, r))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Connections: read-only, with timeouts, never creating a SQLite file


_TEMP_DIRS = []  # private copies of SQLite files, removed before exit (emit)


def _is_wal(path):
    """Bytes 18-19 of the header are 2 for a database in WAL mode (sqlite.org/fileformat.html)."""
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return False
    return len(head) == 20 and head[:16] == b"SQLite format 3\x00" and head[18] == 2 and head[19] == 2


def _file_uri(path, query):
    from pathlib import Path
    from urllib.parse import quote

    uri = Path(path).as_uri()  # percent-encodes spaces, but not ? and #
    return uri.replace("?", quote("?")).replace("#", quote("#")) + "?" + query


def _readonly_uri(path):
    """A URI that reads `path` without creating anything beside it (same rules as src/core/db/sqlite.ts).
    A read-only connection to a WAL database creates -wal and -shm when they are missing and leaves them:
    not WAL -> mode=ro; WAL with both files (a writer is active) -> mode=ro (they exist, committed data in the
    WAL is read); WAL without them -> everything committed is in the file: immutable=1; only one of them (a
    crash, a copy) -> a private copy of the database and its WAL in a temporary folder."""
    if not _is_wal(path):
        return _file_uri(path, "mode=ro")
    wal, shm = path + "-wal", path + "-shm"
    has_wal, has_shm = os.path.exists(wal), os.path.exists(shm)
    if has_wal and has_shm:
        return _file_uri(path, "mode=ro")
    if not has_wal and not has_shm:
        return _file_uri(path, "mode=ro&immutable=1")
    import shutil
    import tempfile

    d = tempfile.mkdtemp(prefix="django-multidb-sqlite-")
    _TEMP_DIRS.append(d)
    copy = os.path.join(d, "db.sqlite3")
    shutil.copyfile(path, copy)
    if has_wal:
        shutil.copyfile(wal, copy + "-wal")
    return _file_uri(copy, "mode=ro")


def _remove_temp_dirs():
    import shutil

    for d in _TEMP_DIRS:
        shutil.rmtree(d, ignore_errors=True)


def _sqlite_target(name):
    """('memory'|'missing'|'file', uri-or-None) for a SQLite NAME."""
    s = str(name)
    if s == ":memory:" or "mode=memory" in s:
        return "memory", None
    if s.startswith("file:"):
        path = s[5:].split("?", 1)[0]
        if path.startswith("//"):
            path = path[2:]
        from urllib.parse import unquote

        path = unquote(path)
        if not path or not os.path.exists(path):
            return "missing", None
        return "file", _readonly_uri(os.path.abspath(path))
    path = os.path.abspath(s)
    if not os.path.exists(path):
        return "missing", None
    return "file", _readonly_uri(path)


def prepare_connection(alias, for_sql=False):
    """Make connections[alias] read-only before it connects. Returns 'missing' for a SQLite file that does not
    exist (it must not be created), else 'ok'. With for_sql, a missing SQLite file becomes an empty in-memory
    database so that sqlmigrate still works."""
    from django.db import connections

    conn = connections[alias]
    if getattr(conn, "connection", None) is not None:
        conn.close()
    sd = dict(conn.settings_dict)
    opts = dict(sd.get("OPTIONS") or {})
    vendor = conn.vendor
    state = "ok"
    if vendor == "sqlite":
        kind, uri = _sqlite_target(sd.get("NAME"))
        if kind == "missing":
            state = "missing"
            if for_sql:
                sd["NAME"] = ":memory:"
        elif kind == "file":
            sd["NAME"] = uri
    elif vendor == "postgresql":
        opts.setdefault("connect_timeout", 5)
        extra = "-c default_transaction_read_only=on"
        opts["options"] = (str(opts["options"]) + " " + extra) if opts.get("options") else extra
        opts.pop("pool", None)
    elif vendor == "mysql":
        opts.setdefault("connect_timeout", 5)
        opts.setdefault("init_command", "SET SESSION TRANSACTION READ ONLY")
    sd["OPTIONS"] = opts
    conn.settings_dict = sd
    return state


# ---------------------------------------------------------------------------------------------------------------
# Routing


class _NeedModel(BaseException):
    """A router looked at the `model` hint (BaseException so `except Exception` in routers cannot hide it)."""


class _ModelProbe:
    """Stands in for a historical model as the `model` hint; touching it means the router needs the model."""

    __slots__ = ()

    def __getattribute__(self, name):
        raise _NeedModel()

    def __bool__(self):
        raise _NeedModel()

    def __eq__(self, other):
        raise _NeedModel()

    def __hash__(self):
        raise _NeedModel()

    def __repr__(self):
        raise _NeedModel()

    def __str__(self):
        raise _NeedModel()


def chain(routers, db, app_label, hints):
    """ConnectionRouter.allow_migrate, but also telling which router decided. -> (allowed, decidedBy)"""
    for name, r in routers:
        try:
            method = r.allow_migrate
        except AttributeError:
            continue
        allow = method(db, app_label, **hints)
        if allow is not None:
            return bool(allow), name
    return True, None


def _meta_block(opts_proxy, opts_swapped, opts_managed, required_vendor, required_features, alias):
    """Options.can_migrate -> None when it passes, else the reason."""
    from django.db import connections

    if opts_swapped:
        return "swapped"
    if opts_proxy:
        return "proxy"
    if not opts_managed:
        return "unmanaged"
    if required_vendor:
        return None if required_vendor == connections[alias].vendor else "vendor"
    if required_features:
        feats = connections[alias].features
        return None if all(getattr(feats, f, False) for f in required_features) else "vendor"
    return None


def routing_rows(routers, aliases, models):
    rows = []
    for alias in aliases:
        for model in models:
            meta = model._meta
            row = {"alias": alias, "model": "%s.%s" % (meta.app_label, meta.object_name)}
            hints = {"model_name": meta.model_name, "model": model}
            try:
                lives, lives_by = chain(routers, alias, meta.app_label, hints)
                row["lives"] = lives
                row["livesDecidedBy"] = lives_by
            except Exception as e:  # noqa: BLE001
                row.update(migrate=None, decidedBy=None, reason="error", lives=None, livesDecidedBy=None, error=_exc_message(e))
                rows.append(row)
                continue
            try:
                blocked = _meta_block(meta.proxy, meta.swapped, meta.managed, getattr(meta, "required_db_vendor", None), getattr(meta, "required_db_features", None), alias)
            except Exception as e:  # noqa: BLE001
                row.update(migrate=None, decidedBy=None, reason="error", error=_exc_message(e))
                rows.append(row)
                continue
            if blocked:
                row.update(migrate=False, decidedBy=None, reason=blocked)
            else:
                row.update(migrate=lives, decidedBy=lives_by, reason="router" if lives_by else "default")
            rows.append(row)
    return rows


DB_ROUTE_SAMPLES = 12  # a router that picks at random (a replica): 12 calls give each of two choices at least once but 1 in 2,048


def _route_chain(routers, action, model):
    """ConnectionRouter._router_func as a queryset asks it (no hints), telling which router decided. -> (alias, decidedBy)"""
    for name, r in routers:
        try:
            method = getattr(r, action)
        except AttributeError:
            continue
        chosen = method(model)
        if chosen:
            if not isinstance(chosen, str):
                raise TypeError("%s.%s returned %s, not a database alias" % (name, action, type(chosen).__name__))
            return chosen, name
    return "default", None


def db_route_rows(routers, models):
    """Where each model's queries go: router.db_for_read(Model) / db_for_write(Model) as a queryset asks them, asked
    in this process (no request, nothing pinned). A router whose answer changes between calls (a replica chosen at
    random, a cycle) is asked again: `choices` lists every alias it gave."""
    rows = []
    for model in models:
        meta = model._meta
        if meta.abstract or meta.swapped:
            continue
        row = {"model": "%s.%s" % (meta.app_label, meta.object_name)}
        for action, key in (("db_for_read", "read"), ("db_for_write", "write")):
            try:
                alias, by = _route_chain(routers, action, model)
                seen, deciders = {alias}, {by}
                # (every time: a router that answers None now and then falls through to another, or to default)
                for _ in range(DB_ROUTE_SAMPLES - 1):
                    again, again_by = _route_chain(routers, action, model)
                    seen.add(again)
                    deciders.add(again_by)
                out = {"alias": alias, "decidedBy": by}
                if len(seen) > 1:
                    out = {"alias": None, "decidedBy": by if len(deciders) == 1 else None, "choices": sorted(seen)}
            except Exception as e:  # noqa: BLE001
                out = {"alias": None, "decidedBy": None, "error": scrub(_exc_message(e))}
            row[key] = out
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Models and migrations


_CLASS_LINES = {}  # file -> {qualname: line of the `class` statement}


def _class_lines(path):
    got = _CLASS_LINES.get(path)
    if got is not None:
        return got
    import ast

    got = {}
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)

        def walk(body, prefix):
            for node in body:
                if isinstance(node, ast.ClassDef):
                    q = prefix + node.name
                    got.setdefault(q, node.lineno)
                    walk(node.body, q + ".")
                elif isinstance(node, (ast.If, ast.Try)):
                    walk(node.body, prefix)
                    walk(getattr(node, "orelse", []), prefix)
                    for h in getattr(node, "handlers", []):
                        walk(h.body, prefix)

        walk(tree.body, "")
    except Exception:  # noqa: BLE001
        pass
    _CLASS_LINES[path] = got
    return got


def _source_of(cls):
    """(file, line of the class statement) without inspect's per-call re-parse."""
    path = None
    mod = sys.modules.get(cls.__module__)
    path = getattr(mod, "__file__", None)
    if path and path.endswith((".pyc", ".pyo")):
        path = path[:-1]
    if not path:
        try:
            path = inspect.getsourcefile(cls)
        except Exception:  # noqa: BLE001
            return None, None
    first = getattr(cls, "__firstlineno__", None)  # Python 3.13+
    if isinstance(first, int):
        return path, first
    line = _class_lines(path).get(cls.__qualname__)
    if line is None:
        try:
            line = inspect.getsourcelines(cls)[1]
        except Exception:  # noqa: BLE001
            line = None
    return path, line


def model_rows(models):
    out = []
    for model in models:
        meta = model._meta
        path, line = _source_of(model)
        out.append({
            "app": meta.app_label,
            "name": meta.object_name,
            "key": "%s.%s" % (meta.app_label, meta.object_name),
            "modelName": meta.model_name,
            "managed": bool(meta.managed),
            "proxy": bool(meta.proxy),
            "swapped": meta.swapped or None,
            "table": meta.db_table,
            "path": os.path.abspath(path) if path else None,
            "line": line,
        })
    return out


def app_rows():
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    out = []
    for cfg in apps.get_app_configs():
        try:
            mig_module, _explicit = MigrationLoader.migrations_module(cfg.label)
        except Exception:  # noqa: BLE001
            mig_module = None
        mig_dir = None
        mod = sys.modules.get(mig_module) if mig_module else None
        paths = list(getattr(mod, "__path__", []) or []) if mod is not None else []
        if paths:
            mig_dir = os.path.abspath(paths[0])
        out.append({"label": cfg.label, "module": cfg.name, "path": os.path.abspath(cfg.path) if cfg.path else None,
                    "migrationsModule": mig_module, "migrationsDir": mig_dir})
    return out


def _op_model(op):
    for attr in ("model_name_lower", "name_lower"):
        try:
            v = getattr(op, attr)
        except Exception:  # noqa: BLE001
            v = None
        if isinstance(v, str):
            return v
    return None


def migration_rows(loader):
    out = []
    for (app, name), mig in sorted(loader.disk_migrations.items()):
        mod = sys.modules.get(type(mig).__module__)
        path = getattr(mod, "__file__", None)
        ops = []
        for op in mig.operations:
            d = {"kind": type(op).__name__}
            m = _op_model(op)
            if m:
                d["modelName"] = m
            ops.append(d)
        out.append({
            "app": app,
            "name": name,
            "key": "%s.%s" % (app, name),
            "path": os.path.abspath(path) if path else None,
            "dependencies": [list(d) for d in mig.dependencies],
            "replaces": [list(r) for r in mig.replaces],
            "runBefore": [list(r) for r in getattr(mig, "run_before", [])],
            "initial": mig.initial,
            "atomic": bool(getattr(mig, "atomic", True)),
            "operations": ops,
        })
    return out


# ---------------------------------------------------------------------------------------------------------------
# Operations of a planned migration: would Django skip them on this alias?
#
# Django's own database_forwards() of each built-in operation is run against stand-ins: the states hand out
# model handles instead of rendering models, the operation's allow_migrate_model() records its question and
# answers False (so nothing further happens), router.allow_migrate() records its answer, and the schema editor
# raises as soon as it is used (the operation would run). RunPython/RunSQL are never run: their hints decide.
# Operations that are not Django's own are never run ("custom").


class _EditorUsed(BaseException):
    pass


class _StateUsed(BaseException):
    pass


class _ModelHandle:
    def __init__(self, side, app_label, model_name):
        object.__setattr__(self, "_h", (side, app_label, model_name.lower()))

    def __getattr__(self, name):
        raise _StateUsed()


class _AppsProxy:
    def __init__(self, side):
        self._side = side

    def get_model(self, app_label, model_name=None, require_ready=True):
        if model_name is None:
            app_label, model_name = app_label.split(".")
        return _ModelHandle(self._side, app_label, model_name)

    def __getattr__(self, name):
        raise _StateUsed()


class _StateProxy:
    def __init__(self, side):
        self.apps = _AppsProxy(side)

    def __getattr__(self, name):
        raise _StateUsed()


class _ConnProxy:
    def __init__(self, alias):
        from django.db import connections

        real = connections[alias]
        self.alias = alias
        self.vendor = real.vendor
        self.display_name = getattr(real, "display_name", real.vendor)
        self.in_atomic_block = False
        self.settings_dict = {}

    def __getattr__(self, name):
        raise _EditorUsed()


class _EditorProxy:
    def __init__(self, alias):
        self.connection = _ConnProxy(alias)
        self.collect_sql = False

    def __getattr__(self, name):
        raise _EditorUsed()


class OperationJudge:
    def __init__(self, routers):
        self.routers = routers
        self.render_count = 0
        self._rendered = {}

    def _forwards(self, op, app_label, state):
        op.state_forwards(app_label, state)
        self._rendered.clear()

    def _historical_model(self, state, app_label, model_name):
        apps = self._rendered.get(id(state))
        if apps is None:
            self.render_count += 1
            apps = state.clone().apps
            self._rendered[id(state)] = apps
        return apps.get_model(app_label, model_name)

    def judge_handle(self, alias, handle, state):
        """Operation.allow_migrate_model(alias, <historical model>) -> (skipped, reason, decidedBy)."""
        side, app_label, model_name = object.__getattribute__(handle, "_h")
        ms = state.models.get((app_label, model_name))
        if ms is None:
            return None, "error", None, "model %s.%s is not in the migration state" % (app_label, model_name)
        o = ms.options
        swapped = None
        swappable = o.get("swappable")
        if swappable:
            from django.conf import settings

            swapped_for = getattr(settings, swappable, None)
            if swapped_for:
                try:
                    lab, obj = swapped_for.split(".")
                    if "%s.%s" % (lab, obj.lower()) != "%s.%s" % (app_label, model_name):
                        swapped = swapped_for
                except ValueError:
                    swapped = swapped_for
        blocked = _meta_block(o.get("proxy", False), swapped, o.get("managed", True), o.get("required_db_vendor"), o.get("required_db_features"), alias)
        if blocked:
            return True, blocked, None, None
        try:
            allowed, by = chain(self.routers, alias, app_label, {"model_name": model_name, "model": _ModelProbe()})
        except _NeedModel:
            model = self._historical_model(state, app_label, model_name)
            allowed, by = chain(self.routers, alias, app_label, {"model_name": model_name, "model": model})
        return (not allowed), ("router" if by else "default"), by, None

    def judge(self, alias, app_label, op, state):
        """Judge one operation and apply it to `state`. -> record"""
        from django.db import router
        from django.db.migrations.operations.special import RunPython, RunSQL, SeparateDatabaseAndState

        rec = {"kind": type(op).__name__}
        try:
            rec["describe"] = str(op.describe())
        except Exception:  # noqa: BLE001
            rec["describe"] = type(op).__name__
        m = _op_model(op)
        if m:
            rec["model"] = m
        rec.update(skipped=None, reason=None, decidedBy=None)

        if isinstance(op, (RunPython, RunSQL)):
            try:
                allowed, by = chain(self.routers, alias, app_label, dict(op.hints))
                rec.update(skipped=not allowed, reason="router" if by else "default", decidedBy=by)
                if op.hints:
                    rec["hints"] = sorted(str(k) for k in op.hints)
            except Exception as e:  # noqa: BLE001
                rec.update(reason="error", error=_exc_message(e))
            self._forwards(op, app_label, state)
            return rec

        if isinstance(op, SeparateDatabaseAndState):
            sub = []
            s = state.clone()
            for dop in op.database_operations:
                sub.append(self.judge(alias, app_label, dop, s))
            rec["operations"] = sub
            if not sub:
                rec.update(skipped=False, reason="noop")
            elif all(r.get("skipped") is True for r in sub):
                rec.update(skipped=True, reason="separate")
            elif any(r.get("skipped") is None and r.get("reason") != "noop" for r in sub):
                rec.update(skipped=None, reason="separate")
            else:
                rec.update(skipped=False, reason="separate")
            self._forwards(op, app_label, state)
            return rec

        if not type(op).__module__.startswith("django."):
            rec.update(reason="custom")
            self._forwards(op, app_label, state)
            return rec

        calls = []

        def allow_migrate_model(connection_alias, model):
            calls.append(("model", model))
            return False

        def allow_migrate(db, app_label_, **hints):
            allowed, by = chain(self.routers, db, app_label_, hints)
            calls.append(("router", allowed, by))
            return allowed

        outcome = "done"
        op.allow_migrate_model = allow_migrate_model
        router.allow_migrate = allow_migrate
        try:
            op.database_forwards(app_label, _EditorProxy(alias), _StateProxy("from"), _StateProxy("to"))
        except _EditorUsed:
            outcome = "editor"
        except _StateUsed:
            outcome = "state"
        except Exception as e:  # noqa: BLE001
            outcome = "error"
            rec["error"] = _exc_message(e)
        finally:
            op.__dict__.pop("allow_migrate_model", None)
            router.__dict__.pop("allow_migrate", None)

        pending = None
        if calls:
            first = calls[0]
            if first[0] == "router":
                rec.update(skipped=not first[1], reason="router" if first[2] else "default", decidedBy=first[2])
            elif isinstance(first[1], _ModelHandle):
                pending = first[1]
            else:
                rec.update(reason="error", error="unexpected model hint")
        elif outcome == "editor":
            rec.update(skipped=False, reason="no-check")
        elif outcome == "done":
            rec.update(skipped=False, reason="noop")
        elif outcome == "state":
            rec.update(reason="unknown")
        else:
            rec.update(reason="error")

        if pending is not None and object.__getattribute__(pending, "_h")[0] == "from":
            self._apply_handle(rec, alias, pending, state)
            pending = None
        self._forwards(op, app_label, state)
        if pending is not None:
            self._apply_handle(rec, alias, pending, state)
        return rec

    def _apply_handle(self, rec, alias, handle, state):
        try:
            skipped, reason, by, err = self.judge_handle(alias, handle, state)
            rec.update(skipped=skipped, reason=reason, decidedBy=by)
            if err:
                rec["error"] = err
        except Exception as e:  # noqa: BLE001
            rec.update(skipped=None, reason="error", error=_exc_message(e))


# ---------------------------------------------------------------------------------------------------------------
# Commands


PROBE_DEADLINE_S = 15  # one deadline for all aliases together (each driver also has its 5 s connect timeout)


def _driver_message(alias, engine, e):
    """A backend that cannot be loaded (its driver is not installed in this environment), said plainly."""
    msg = _exc_message(e)
    if "mysql" in str(engine or "").lower() and "MySQLdb" in msg:
        return ("Django cannot use '%s' (%s): no MySQL driver in %s (%s). Install mysqlclient, or PyMySQL with "
                "pymysql.install_as_MySQLdb() in the settings or manage.py" % (alias, engine, sys.executable, msg.replace("\n", " ")))
    return "Django cannot load the database backend of '%s' (%s) with %s: %s" % (alias, engine, sys.executable, msg)


def _backend_problem(alias):
    """None when Django can create connections[alias], else why not (the driver is missing, a bad ENGINE)."""
    from django.db import connections

    try:
        connections[alias]
        return None
    except Exception as e:  # noqa: BLE001
        return _driver_message(alias, (connections.settings.get(alias) or {}).get("ENGINE"), e)


def _probe(alias):
    """Connect to one alias and read its applied rows; runs in its own thread (Django's connections are
    per thread) so that unreachable aliases wait for their timeouts together, not one after another."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    problem = _backend_problem(alias)
    if problem:
        return {"reachable": False, "error": scrub(problem), "driverMissing": True}
    try:
        if prepare_connection(alias) == "missing":
            return {"reachable": True}
        MigrationRecorder(connections[alias]).has_table()
        return {"reachable": True}
    except Exception as e:  # noqa: BLE001
        return {"reachable": False, "error": scrub(_exc_message(e))}
    finally:
        try:
            connections[alias].close()
        except Exception:  # noqa: BLE001
            pass


def probe_all(aliases, deadline_s=PROBE_DEADLINE_S):
    """{alias: {"reachable": bool, "error"?: str}} for every alias, within one shared deadline."""
    import threading

    results = {}

    def run(a):
        results[a] = _probe(a)

    threads = [threading.Thread(target=run, args=(a,), name="probe-" + a, daemon=True) for a in aliases]
    for t in threads:
        t.start()
    end = time.monotonic() + deadline_s
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    for a in aliases:
        if a not in results:
            results[a] = {"reachable": False, "error": "no answer within %d s" % deadline_s}
    return results


def _alias_plan(alias, routers, judge, timings):
    from django.db import connections
    from django.db.migrations.exceptions import InconsistentMigrationHistory
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    t = time.perf_counter()
    status = {"reachable": True, "applied": 0, "appliedKeys": [], "exists": False, "error": None, "historyError": None}
    try:
        mode = prepare_connection(alias)
        if mode == "missing":
            executor = MigrationExecutor(None)
        else:
            conn = connections[alias]
            recorder = MigrationRecorder(conn)
            if recorder.has_table():
                status["exists"] = True
                rows = recorder.applied_migrations()
                status["applied"] = len(rows)
                status["appliedKeys"] = sorted("%s.%s" % k for k in rows)
            executor = MigrationExecutor(conn)
    except Exception as e:  # noqa: BLE001
        status.update(reachable=False, error=scrub(_exc_message(e)))
        timings["plan:" + alias] = round((time.perf_counter() - t) * 1000, 1)
        return status, None, None
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if mode != "missing":
        try:
            executor.loader.check_consistent_history(connections[alias])
        except InconsistentMigrationHistory as e:
            status["historyError"] = _exc_message(e)
        except Exception:  # noqa: BLE001
            pass
    keys = ["%s.%s" % (m.app_label, m.name) for m, backwards in plan if not backwards]
    details = []
    if plan:
        state = executor._create_project_state(with_applied_migrations=True)
        for mig, backwards in plan:
            ops = [judge.judge(alias, mig.app_label, op, state) for op in mig.operations]
            details.append({"key": "%s.%s" % (mig.app_label, mig.name), "operations": ops})
    timings["plan:" + alias] = round((time.perf_counter() - t) * 1000, 1)
    return status, keys, details


def missing_migrations(loader):
    """What `makemigrations --check --dry-run` would write, per app, without writing anything: Django's
    autodetector between the migrations' state and the models (as makemigrations does it), never saved."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
    from django.db.migrations.state import ProjectState

    if loader.detect_conflicts():
        return None  # makemigrations stops here too: the conflict is reported on its own
    questioner = NonInteractiveMigrationQuestioner(specified_apps=None, dry_run=True, verbosity=0)
    autodetector = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps), questioner)
    changes = autodetector.changes(graph=loader.graph)
    out = {}
    for app_label, migrations in changes.items():
        ops = []
        for m in migrations:
            for op in m.operations:
                ops.append({"kind": type(op).__name__, "describe": op.describe()})
        out[app_label] = ops
    return out


def cmd_report(args):
    import django
    from django.apps import apps
    from django.conf import settings
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    timings = {}
    t0 = time.perf_counter()
    routers = router_paths()
    dbs = []
    for alias, conf in settings.DATABASES.items():
        name = conf.get("NAME")
        dbs.append({"alias": alias, "engine": conf.get("ENGINE"), "name": None if name in (None, "") else str(name),
                    "vendor": None if _backend_problem(alias) else getattr(connections[alias], "vendor", None)})
    aliases = [d["alias"] for d in dbs]
    wanted = [a for a in aliases if not args.database or a in args.database]
    models = list(apps.get_models(include_swapped=True))

    t = time.perf_counter()
    mrows = model_rows(models)
    timings["models"] = round((time.perf_counter() - t) * 1000, 1)
    t = time.perf_counter()
    rrows = routing_rows(routers, aliases, models)
    timings["routing"] = round((time.perf_counter() - t) * 1000, 1)
    t = time.perf_counter()
    drows = db_route_rows(routers, models)
    timings["dbRoutes"] = round((time.perf_counter() - t) * 1000, 1)

    t = time.perf_counter()
    graph = {"nodes": [], "leafNodes": [], "conflicts": {}, "error": None}
    migs = []
    loader = None
    try:
        loader = MigrationLoader(None)
        migs = migration_rows(loader)
        graph["nodes"] = sorted("%s.%s" % k for k in loader.graph.nodes)
        graph["leafNodes"] = ["%s.%s" % k for k in loader.graph.leaf_nodes()]
        graph["conflicts"] = {app: sorted(names) for app, names in loader.detect_conflicts().items()}
        graph["unmigratedApps"] = sorted(loader.unmigrated_apps)
        graph["migratedApps"] = sorted(loader.migrated_apps)
    except Exception as e:  # noqa: BLE001
        graph["error"] = _exc_message(e)
        graph["traceback"] = traceback.format_exc()
        if loader is not None and not migs:
            try:
                migs = migration_rows(loader)
            except Exception:  # noqa: BLE001
                pass
    timings["migrations"] = round((time.perf_counter() - t) * 1000, 1)

    missing, missing_error = None, None
    if loader is not None and not graph["error"]:
        t = time.perf_counter()
        try:
            missing = missing_migrations(loader)
        except Exception as e:  # noqa: BLE001
            missing_error = _exc_message(e)
        timings["missing"] = round((time.perf_counter() - t) * 1000, 1)

    try:
        arows = app_rows()
    except Exception:  # noqa: BLE001
        arows = []

    status, plans, details = {}, {}, {}
    judge = OperationJudge(routers)
    if not args.no_databases:
        t = time.perf_counter()
        probes = probe_all(wanted) if not graph["error"] else {}
        timings["probe"] = round((time.perf_counter() - t) * 1000, 1)
        for alias in wanted:
            if graph["error"]:
                status[alias] = {"reachable": None, "applied": 0, "appliedKeys": [], "exists": None, "error": "migration graph: " + graph["error"], "historyError": None}
                plans[alias] = None
                details[alias] = None
                continue
            probe = probes.get(alias) or {}
            if probe.get("reachable") is False:
                status[alias] = {"reachable": False, "applied": 0, "appliedKeys": [], "exists": False, "error": probe.get("error"), "historyError": None}
                if probe.get("driverMissing"):
                    status[alias]["driverMissing"] = True
                plans[alias] = None
                details[alias] = None
                continue
            try:
                st, keys, det = _alias_plan(alias, routers, judge, timings)
            except Exception as e:  # noqa: BLE001
                st, keys, det = {"reachable": None, "applied": 0, "appliedKeys": [], "exists": None, "error": "plan failed: " + _exc_message(e), "historyError": None}, None, None
            status[alias], plans[alias], details[alias] = st, keys, det
            try:
                if not _backend_problem(alias):
                    connections[alias].close()
            except Exception:  # noqa: BLE001
                pass
    timings["historicalRenders"] = judge.render_count
    timings["total"] = round((time.perf_counter() - t0) * 1000, 1)

    emit({
        "helperVersion": HELPER_VERSION,
        "django": django.get_version(),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "settingsModule": os.environ.get("DJANGO_SETTINGS_MODULE"),
        "authUserModel": getattr(settings, "AUTH_USER_MODEL", None),
        "databases": dbs,
        "apps": arows,
        "routers": [name for name, _ in routers],
        "models": mrows,
        "routing": rrows,
        "dbRoutes": drows,
        "migrations": migs,
        "graph": graph,
        "status": status,
        "plans": plans,
        "planDetails": details,
        "missing": missing,
        "missingError": missing_error,
        "timings": timings,
    })


def cmd_sql(args):
    import io

    from django.core.management import call_command
    from django.db import connections

    alias = (args.database or ["default"])[0]
    if alias not in connections.settings:
        fail("command", "no database alias %r in DATABASES" % alias)
    try:
        prepare_connection(alias, for_sql=True)
        buf = io.StringIO()
        call_command("sqlmigrate", args.app, args.name, database=alias, stdout=buf, no_color=True)
    except BaseException as e:
        fail("command", "sqlmigrate %s %s --database %s failed: %s" % (args.app, args.name, alias, _exc_message(e)), e)
    emit({"helperVersion": HELPER_VERSION, "alias": alias, "app": args.app, "name": args.name, "sql": buf.getvalue()})


def _die_with_parent():
    """Linux: killed when the process that started this one ends (prctl PR_SET_PDEATHSIG). The extension's scan
    worker stops this process (SIGSTOP) while it answers an edit and continues it after; should the worker end
    meanwhile, nothing would continue it. Its answer cannot be read by anyone then either."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # (it ended before the call)
            os._exit(1)
    except Exception:
        pass


def main(argv):
    _die_with_parent()
    p = argparse.ArgumentParser(prog="django_helper.py")
    p.add_argument("command", choices=["report", "sql"])
    p.add_argument("app", nargs="?")
    p.add_argument("name", nargs="?")
    p.add_argument("--settings")
    p.add_argument("--project")
    p.add_argument("--database", action="append")
    p.add_argument("--no-databases", action="store_true")
    try:
        args = p.parse_args(argv)
    except SystemExit:
        fail("usage", "bad arguments: %s" % " ".join(argv))
    if args.command == "sql" and not (args.app and args.name):
        fail("usage", "sql needs APP and NAME")
    try:
        setup(args)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 (anything else setting up: said, never a silent exit)
        fail("internal", "the helper could not start: %s" % _exc_message(e), e)
    try:
        if args.command == "report":
            cmd_report(args)
        else:
            cmd_sql(args)
    except BaseException as e:
        fail("internal", "helper failed: %s" % _exc_message(e), e)


if __name__ == "__main__":
    main(sys.argv[1:])
