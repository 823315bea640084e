"""
Settings for the multidb_shop example: one Django project, three SQLite databases.

    default    catalog, orders and Django's own apps
    analytics  the analytics app (AnalyticsRouter)
    legacy     read-only tables of an older CRM, modelled as unmanaged models (LegacyRouter)
"""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Example only: never use this key outside a local demo.
SECRET_KEY = "example-only-not-secret-multidb-shop"
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "catalog",
    "analytics",
    "legacy",
    "orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    },
    "analytics": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "analytics.sqlite3",
    },
    "legacy": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "legacy.sqlite3",
    },
}

# Asked in this order; the first router that answers True/False decides.
DATABASE_ROUTERS = [
    "shop.routers.AnalyticsRouter",
    "shop.routers.LegacyRouter",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
