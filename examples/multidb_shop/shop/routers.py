"""Database routers of the multidb_shop example."""


class AnalyticsRouter:
    """Send everything of the analytics app to the "analytics" database.

    For any other app it has no opinion (returns None), so the next router,
    and finally Django's default, decides. Note what that means for
    allow_migrate: apps that no router claims (auth, catalog, orders, ...)
    are migrated on *every* database, "analytics" included.
    """

    route_app_labels = {"analytics"}

    def db_for_read(self, model, **hints):
        if model._meta.app_label in self.route_app_labels:
            return "analytics"
        return None

    def db_for_write(self, model, **hints):
        if model._meta.app_label in self.route_app_labels:
            return "analytics"
        return None

    def allow_relation(self, obj1, obj2, **hints):
        if (
            obj1._meta.app_label in self.route_app_labels
            or obj2._meta.app_label in self.route_app_labels
        ):
            return obj1._meta.app_label == obj2._meta.app_label
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.route_app_labels:
            return db == "analytics"
        return None


class LegacyRouter:
    """The "legacy" database holds an older CRM's tables and nothing else.

    The legacy app only lives there, and no other app may be migrated there.
    """

    app_label = "legacy"
    alias = "legacy"

    def db_for_read(self, model, **hints):
        if model._meta.app_label == self.app_label:
            return self.alias
        return None

    def db_for_write(self, model, **hints):
        if model._meta.app_label == self.app_label:
            return self.alias
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # Deliberately permissive: orders.Order points at legacy.LegacyCustomer.
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == self.app_label:
            return db == self.alias
        if db == self.alias:
            return False
        return None
