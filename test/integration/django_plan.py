"""What Django itself says about a fixture project, for the integration tests to compare the extension with.

    python django_plan.py <manage.py> [alias ...] [--fk app.Model.field]

Prints JSON: {"plans": {alias: ["app.name", ...]}, "crossDbFk": {...}} where a plan is exactly what
`manage.py migrate --database=<alias>` would apply now (MigrationExecutor.migration_plan over the graph's leaf
nodes, as django.core.management.commands.migrate does with no target).
"""
import inspect
import json
import os
import re
import sys


def main():
    args = sys.argv[1:]
    fk = None
    if "--fk" in args:
        i = args.index("--fk")
        fk = args[i + 1]
        del args[i:i + 2]
    manage_py, aliases = os.path.abspath(args[0]), args[1:]
    root = os.path.dirname(manage_py)
    sys.path.insert(0, root)
    os.chdir(root)
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        m = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)", open(manage_py).read())
        os.environ["DJANGO_SETTINGS_MODULE"] = m.group(1)
    import django
    django.setup()
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    out = {"plans": {}}
    out["errors"] = {}
    for alias in aliases or list(connections):
        try:
            executor = MigrationExecutor(connections[alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as e:  # an unreachable database: no plan, like the extension's "unreachable"
            out["plans"][alias] = None
            out["errors"][alias] = "%s: %s" % (type(e).__name__, e)
            continue
        out["plans"][alias] = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    if fk:
        from django.apps import apps
        app, model_name, field = fk.split(".")
        model = apps.get_model(app, model_name)
        path = inspect.getsourcefile(model)
        lines = open(path).read().splitlines()
        # the field's assignment inside its class body (the first one after `class <Model>`)
        start = next(i for i, l in enumerate(lines) if re.match(rf"\s*class\s+{model.__name__}\b", l))
        line = next(i for i in range(start, len(lines)) if re.match(rf"\s+{field}\s*=", lines[i]))
        col = lines[line].find("ForeignKey")
        out["crossDbFk"] = {"file": path, "line": line, "column": col if col >= 0 else lines[line].find(field),
                            "field": fk, "target": model._meta.get_field(field).related_model._meta.label}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
