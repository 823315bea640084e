// Router sources shared by the router tests (db-routes-oracle, router-lints): self-written copies of patterns
// found in public projects, and the settings around them.

/** A SQLite entry of DATABASES (`extra`: more keys, e.g. `, "TEST": {"MIRROR": "default"}`). */
export const db = (name: string, extra = '') => `{"ENGINE": "django.db.backends.sqlite3", "NAME": "${name}.sqlite3"${extra}}`;
export const MIRROR = (of: string) => `, "TEST": {"MIRROR": "${of}"}`;

/** A settings module; `django` adds what Django itself needs to start (contrib apps, SECRET_KEY). */
export function settingsPy(apps: string[], dbs: Record<string, string>, routers: string[], extra = '', django = false): string {
  const head = django ? 'SECRET_KEY = "x"\nUSE_TZ = True\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n' : '';
  const installed = django ? ['django.contrib.contenttypes', 'django.contrib.auth', ...apps] : apps;
  return `${head}INSTALLED_APPS = ${JSON.stringify(installed)}\nDATABASES = {\n${Object.entries(dbs).map(([a, d]) => `    "${a}": ${d},\n`).join('')}}\n` +
    `DATABASE_ROUTERS = ${JSON.stringify(routers)}\n${extra}`;
}

/** The primary/replica router of Django's documentation and countless projects, with the three answers given. */
export const PRIMARY_REPLICA = (read: string, write: string, migrate: string) => `from django.conf import settings


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        ${read}

    def db_for_write(self, model, **hints):
        ${write}

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        ${migrate}
`;

/** Django's documentation AuthRouter shape: a set of app labels sent to one alias (`write: false` drops db_for_write). */
export const APP_ROUTER = (labels: string, alias: string, opts: { write?: boolean; migrate?: string; name?: string } = {}) => `class ${opts.name ?? 'AppRouter'}:
    route_app_labels = ${labels}

    def db_for_read(self, model, **hints):
        if model._meta.app_label in self.route_app_labels:
            return "${alias}"
        return None
${opts.write === false ? '' : `
    def db_for_write(self, model, **hints):
        if model._meta.app_label in self.route_app_labels:
            return "${alias}"
        return None
`}
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.route_app_labels:
            ${opts.migrate ?? `return db == "${alias}"`}
        return None
`;

/** An app label → alias map read by all three methods, everything else on default (shyaminnowave/sentriQA). */
export const MAP_ROUTER = (name: string, map: string) => `class ${name}:
    route_app_labels = ${map}

    def db_for_read(self, model, **hints):
        if model._meta.app_label in self.route_app_labels:
            return self.route_app_labels[model._meta.app_label]
        return "default"

    def db_for_write(self, model, **hints):
        return self.db_for_read(model, **hints)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.route_app_labels:
            return db == self.route_app_labels[app_label]
        elif db in self.route_app_labels.values():
            return False
        return db == "default"
`;

/**
 * Kolibri's routers: defined in the models modules they route, naming the model classes (`model is SyncQueue`,
 * `issubclass(model, NetworkLocation)` for a proxy too, `SyncQueue._meta.app_label`, a generator over classes'
 * `_meta.model_name`), and a choices helper reading a class's `__dict__`. The apps are `device`, `discovery`, `core`;
 * the aliases `default`, `syncqueue`, `networklocation`; DATABASE_ROUTERS is KOLIBRI_ROUTERS.
 */
export const KOLIBRI_ROUTERS = ['device.models.SyncQueueRouter', 'discovery.models.NetworkLocationRouter'];
export const KOLIBRI_APPS: Record<string, string> = {
  'device/__init__.py': '',
  'device/models.py': `from django.db import models

SYNC_QUEUE = "syncqueue"


class ChoicesEnum(object):
    @classmethod
    def choices(cls):
        return tuple(sorted((getattr(cls, m), m) for m in cls.__dict__ if m[0] != "_"))


class SyncQueueStatus(ChoicesEnum):
    Pending = "PENDING"
    Ready = "READY"


class DeviceSettings(models.Model):
    name = models.CharField(max_length=10)


class SyncQueue(models.Model):
    status = models.CharField(max_length=10, choices=SyncQueueStatus.choices())


class SyncQueueRouter(object):
    def db_for_read(self, model, **hints):
        if model is SyncQueue:
            return SYNC_QUEUE
        return None

    def db_for_write(self, model, **hints):
        if model is SyncQueue:
            return SYNC_QUEUE
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == SyncQueue._meta.app_label and (
            model_name == SyncQueue._meta.model_name or hints.get("is_syncqueue")
        ):
            return db == SYNC_QUEUE
        elif db == SYNC_QUEUE:
            return False
        return None
`,
  'discovery/__init__.py': '',
  'discovery/models.py': `from django.db import models

NETWORK_LOCATION = "networklocation"


class NetworkLocation(models.Model):
    base_url = models.CharField(max_length=100)


class StaticNetworkLocation(NetworkLocation):
    class Meta:
        proxy = True


class PinnedDevice(models.Model):
    instance_id = models.CharField(max_length=32)


class NetworkLocationRouter(object):
    def db_for_read(self, model, **hints):
        if issubclass(model, NetworkLocation):
            return NETWORK_LOCATION
        return None

    def db_for_write(self, model, **hints):
        if issubclass(model, (NetworkLocation,)):
            return NETWORK_LOCATION
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == NetworkLocation._meta.app_label and any(
            model_name == m._meta.model_name for m in (NetworkLocation, StaticNetworkLocation)
        ):
            return db == NETWORK_LOCATION
        elif db == NETWORK_LOCATION:
            return False
        return None
`,
  'core/__init__.py': '',
  'core/models.py': 'from django.db import models\n\n\nclass Facility(models.Model):\n    name = models.CharField(max_length=10)\n',
};
