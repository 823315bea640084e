// Names (and JSON-representable default values) of django.conf.global_settings (Django 5.2), generated.
// A name mapped to null has a default we do not model (unknown when read).
export const DJANGO_GLOBAL_SETTINGS: Record<string, { v: unknown } | null> = {
"ABSOLUTE_URL_OVERRIDES": {
"v": {}
},
"ADMINS": {
"v": []
},
"ALLOWED_HOSTS": {
"v": []
},
"APPEND_SLASH": {
"v": true
},
"AUTHENTICATION_BACKENDS": {
"v": [
"django.contrib.auth.backends.ModelBackend"
]
},
"AUTH_PASSWORD_VALIDATORS": {
"v": []
},
"AUTH_USER_MODEL": {
"v": "auth.User"
},
"CACHES": {
"v": {
"default": {
"BACKEND": "django.core.cache.backends.locmem.LocMemCache"
}
}
},
"CACHE_MIDDLEWARE_ALIAS": {
"v": "default"
},
"CACHE_MIDDLEWARE_KEY_PREFIX": {
"v": ""
},
"CACHE_MIDDLEWARE_SECONDS": {
"v": 600
},
"CSRF_COOKIE_AGE": {
"v": 31449600
},
"CSRF_COOKIE_DOMAIN": {
"v": null
},
"CSRF_COOKIE_HTTPONLY": {
"v": false
},
"CSRF_COOKIE_NAME": {
"v": "csrftoken"
},
"CSRF_COOKIE_PATH": {
"v": "/"
},
"CSRF_COOKIE_SAMESITE": {
"v": "Lax"
},
"CSRF_COOKIE_SECURE": {
"v": false
},
"CSRF_FAILURE_VIEW": {
"v": "django.views.csrf.csrf_failure"
},
"CSRF_HEADER_NAME": {
"v": "HTTP_X_CSRFTOKEN"
},
"CSRF_TRUSTED_ORIGINS": {
"v": []
},
"CSRF_USE_SESSIONS": {
"v": false
},
"DATABASES": {
"v": {}
},
"DATABASE_ROUTERS": {
"v": []
},
"DATA_UPLOAD_MAX_MEMORY_SIZE": {
"v": 2621440
},
"DATA_UPLOAD_MAX_NUMBER_FIELDS": {
"v": 1000
},
"DATA_UPLOAD_MAX_NUMBER_FILES": {
"v": 100
},
"DATETIME_FORMAT": {
"v": "N j, Y, P"
},
"DATETIME_INPUT_FORMATS": {
"v": [
"%Y-%m-%d %H:%M:%S",
"%Y-%m-%d %H:%M:%S.%f",
"%Y-%m-%d %H:%M",
"%m/%d/%Y %H:%M:%S",
"%m/%d/%Y %H:%M:%S.%f",
"%m/%d/%Y %H:%M",
"%m/%d/%y %H:%M:%S",
"%m/%d/%y %H:%M:%S.%f",
"%m/%d/%y %H:%M"
]
},
"DATE_FORMAT": {
"v": "N j, Y"
},
"DATE_INPUT_FORMATS": {
"v": [
"%Y-%m-%d",
"%m/%d/%Y",
"%m/%d/%y",
"%b %d %Y",
"%b %d, %Y",
"%d %b %Y",
"%d %b, %Y",
"%B %d %Y",
"%B %d, %Y",
"%d %B %Y",
"%d %B, %Y"
]
},
"DEBUG": {
"v": false
},
"DEBUG_PROPAGATE_EXCEPTIONS": {
"v": false
},
"DECIMAL_SEPARATOR": {
"v": "."
},
"DEFAULT_AUTO_FIELD": {
"v": "django.db.models.AutoField"
},
"DEFAULT_CHARSET": {
"v": "utf-8"
},
"DEFAULT_EXCEPTION_REPORTER": {
"v": "django.views.debug.ExceptionReporter"
},
"DEFAULT_EXCEPTION_REPORTER_FILTER": {
"v": "django.views.debug.SafeExceptionReporterFilter"
},
"DEFAULT_FROM_EMAIL": {
"v": "webmaster@localhost"
},
"DEFAULT_INDEX_TABLESPACE": {
"v": ""
},
"DEFAULT_TABLESPACE": {
"v": ""
},
"DISALLOWED_USER_AGENTS": {
"v": []
},
"EMAIL_BACKEND": {
"v": "django.core.mail.backends.smtp.EmailBackend"
},
"EMAIL_HOST": {
"v": "localhost"
},
"EMAIL_HOST_PASSWORD": {
"v": ""
},
"EMAIL_HOST_USER": {
"v": ""
},
"EMAIL_PORT": {
"v": 25
},
"EMAIL_SSL_CERTFILE": {
"v": null
},
"EMAIL_SSL_KEYFILE": {
"v": null
},
"EMAIL_SUBJECT_PREFIX": {
"v": "[Django] "
},
"EMAIL_TIMEOUT": {
"v": null
},
"EMAIL_USE_LOCALTIME": {
"v": false
},
"EMAIL_USE_SSL": {
"v": false
},
"EMAIL_USE_TLS": {
"v": false
},
"FILE_UPLOAD_DIRECTORY_PERMISSIONS": {
"v": null
},
"FILE_UPLOAD_HANDLERS": {
"v": [
"django.core.files.uploadhandler.MemoryFileUploadHandler",
"django.core.files.uploadhandler.TemporaryFileUploadHandler"
]
},
"FILE_UPLOAD_MAX_MEMORY_SIZE": {
"v": 2621440
},
"FILE_UPLOAD_PERMISSIONS": {
"v": 420
},
"FILE_UPLOAD_TEMP_DIR": {
"v": null
},
"FIRST_DAY_OF_WEEK": {
"v": 0
},
"FIXTURE_DIRS": {
"v": []
},
"FORCE_SCRIPT_NAME": {
"v": null
},
"FORMAT_MODULE_PATH": {
"v": null
},
"FORMS_URLFIELD_ASSUME_HTTPS": {
"v": false
},
"FORM_RENDERER": {
"v": "django.forms.renderers.DjangoTemplates"
},
"IGNORABLE_404_URLS": {
"v": []
},
"INSTALLED_APPS": {
"v": []
},
"INTERNAL_IPS": {
"v": []
},
"LANGUAGES": {
"v": [
[
"af",
"Afrikaans"
],
[
"ar",
"Arabic"
],
[
"ar-dz",
"Algerian Arabic"
],
[
"ast",
"Asturian"
],
[
"az",
"Azerbaijani"
],
[
"bg",
"Bulgarian"
],
[
"be",
"Belarusian"
],
[
"bn",
"Bengali"
],
[
"br",
"Breton"
],
[
"bs",
"Bosnian"
],
[
"ca",
"Catalan"
],
[
"ckb",
"Central Kurdish (Sorani)"
],
[
"cs",
"Czech"
],
[
"cy",
"Welsh"
],
[
"da",
"Danish"
],
[
"de",
"German"
],
[
"dsb",
"Lower Sorbian"
],
[
"el",
"Greek"
],
[
"en",
"English"
],
[
"en-au",
"Australian English"
],
[
"en-gb",
"British English"
],
[
"eo",
"Esperanto"
],
[
"es",
"Spanish"
],
[
"es-ar",
"Argentinian Spanish"
],
[
"es-co",
"Colombian Spanish"
],
[
"es-mx",
"Mexican Spanish"
],
[
"es-ni",
"Nicaraguan Spanish"
],
[
"es-ve",
"Venezuelan Spanish"
],
[
"et",
"Estonian"
],
[
"eu",
"Basque"
],
[
"fa",
"Persian"
],
[
"fi",
"Finnish"
],
[
"fr",
"French"
],
[
"fy",
"Frisian"
],
[
"ga",
"Irish"
],
[
"gd",
"Scottish Gaelic"
],
[
"gl",
"Galician"
],
[
"he",
"Hebrew"
],
[
"hi",
"Hindi"
],
[
"hr",
"Croatian"
],
[
"hsb",
"Upper Sorbian"
],
[
"hu",
"Hungarian"
],
[
"hy",
"Armenian"
],
[
"ia",
"Interlingua"
],
[
"id",
"Indonesian"
],
[
"ig",
"Igbo"
],
[
"io",
"Ido"
],
[
"is",
"Icelandic"
],
[
"it",
"Italian"
],
[
"ja",
"Japanese"
],
[
"ka",
"Georgian"
],
[
"kab",
"Kabyle"
],
[
"kk",
"Kazakh"
],
[
"km",
"Khmer"
],
[
"kn",
"Kannada"
],
[
"ko",
"Korean"
],
[
"ky",
"Kyrgyz"
],
[
"lb",
"Luxembourgish"
],
[
"lt",
"Lithuanian"
],
[
"lv",
"Latvian"
],
[
"mk",
"Macedonian"
],
[
"ml",
"Malayalam"
],
[
"mn",
"Mongolian"
],
[
"mr",
"Marathi"
],
[
"ms",
"Malay"
],
[
"my",
"Burmese"
],
[
"nb",
"Norwegian Bokm\u00e5l"
],
[
"ne",
"Nepali"
],
[
"nl",
"Dutch"
],
[
"nn",
"Norwegian Nynorsk"
],
[
"os",
"Ossetic"
],
[
"pa",
"Punjabi"
],
[
"pl",
"Polish"
],
[
"pt",
"Portuguese"
],
[
"pt-br",
"Brazilian Portuguese"
],
[
"ro",
"Romanian"
],
[
"ru",
"Russian"
],
[
"sk",
"Slovak"
],
[
"sl",
"Slovenian"
],
[
"sq",
"Albanian"
],
[
"sr",
"Serbian"
],
[
"sr-latn",
"Serbian Latin"
],
[
"sv",
"Swedish"
],
[
"sw",
"Swahili"
],
[
"ta",
"Tamil"
],
[
"te",
"Telugu"
],
[
"tg",
"Tajik"
],
[
"th",
"Thai"
],
[
"tk",
"Turkmen"
],
[
"tr",
"Turkish"
],
[
"tt",
"Tatar"
],
[
"udm",
"Udmurt"
],
[
"ug",
"Uyghur"
],
[
"uk",
"Ukrainian"
],
[
"ur",
"Urdu"
],
[
"uz",
"Uzbek"
],
[
"vi",
"Vietnamese"
],
[
"zh-hans",
"Simplified Chinese"
],
[
"zh-hant",
"Traditional Chinese"
]
]
},
"LANGUAGES_BIDI": {
"v": [
"he",
"ar",
"ar-dz",
"ckb",
"fa",
"ug",
"ur"
]
},
"LANGUAGE_CODE": {
"v": "en-us"
},
"LANGUAGE_COOKIE_AGE": {
"v": null
},
"LANGUAGE_COOKIE_DOMAIN": {
"v": null
},
"LANGUAGE_COOKIE_HTTPONLY": {
"v": false
},
"LANGUAGE_COOKIE_NAME": {
"v": "django_language"
},
"LANGUAGE_COOKIE_PATH": {
"v": "/"
},
"LANGUAGE_COOKIE_SAMESITE": {
"v": null
},
"LANGUAGE_COOKIE_SECURE": {
"v": false
},
"LOCALE_PATHS": {
"v": []
},
"LOGGING": {
"v": {}
},
"LOGGING_CONFIG": {
"v": "logging.config.dictConfig"
},
"LOGIN_REDIRECT_URL": {
"v": "/accounts/profile/"
},
"LOGIN_URL": {
"v": "/accounts/login/"
},
"LOGOUT_REDIRECT_URL": {
"v": null
},
"MANAGERS": {
"v": []
},
"MEDIA_ROOT": {
"v": ""
},
"MEDIA_URL": {
"v": ""
},
"MESSAGE_STORAGE": {
"v": "django.contrib.messages.storage.fallback.FallbackStorage"
},
"MIDDLEWARE": {
"v": []
},
"MIGRATION_MODULES": {
"v": {}
},
"MONTH_DAY_FORMAT": {
"v": "F j"
},
"NUMBER_GROUPING": {
"v": 0
},
"PASSWORD_HASHERS": {
"v": [
"django.contrib.auth.hashers.PBKDF2PasswordHasher",
"django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
"django.contrib.auth.hashers.Argon2PasswordHasher",
"django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
"django.contrib.auth.hashers.ScryptPasswordHasher"
]
},
"PASSWORD_RESET_TIMEOUT": {
"v": 259200
},
"PREPEND_WWW": {
"v": false
},
"SECRET_KEY": {
"v": ""
},
"SECRET_KEY_FALLBACKS": {
"v": []
},
"SECURE_CONTENT_TYPE_NOSNIFF": {
"v": true
},
"SECURE_CROSS_ORIGIN_OPENER_POLICY": {
"v": "same-origin"
},
"SECURE_HSTS_INCLUDE_SUBDOMAINS": {
"v": false
},
"SECURE_HSTS_PRELOAD": {
"v": false
},
"SECURE_HSTS_SECONDS": {
"v": 0
},
"SECURE_PROXY_SSL_HEADER": {
"v": null
},
"SECURE_REDIRECT_EXEMPT": {
"v": []
},
"SECURE_REFERRER_POLICY": {
"v": "same-origin"
},
"SECURE_SSL_HOST": {
"v": null
},
"SECURE_SSL_REDIRECT": {
"v": false
},
"SERVER_EMAIL": {
"v": "root@localhost"
},
"SESSION_CACHE_ALIAS": {
"v": "default"
},
"SESSION_COOKIE_AGE": {
"v": 1209600
},
"SESSION_COOKIE_DOMAIN": {
"v": null
},
"SESSION_COOKIE_HTTPONLY": {
"v": true
},
"SESSION_COOKIE_NAME": {
"v": "sessionid"
},
"SESSION_COOKIE_PATH": {
"v": "/"
},
"SESSION_COOKIE_SAMESITE": {
"v": "Lax"
},
"SESSION_COOKIE_SECURE": {
"v": false
},
"SESSION_ENGINE": {
"v": "django.contrib.sessions.backends.db"
},
"SESSION_EXPIRE_AT_BROWSER_CLOSE": {
"v": false
},
"SESSION_FILE_PATH": {
"v": null
},
"SESSION_SAVE_EVERY_REQUEST": {
"v": false
},
"SESSION_SERIALIZER": {
"v": "django.contrib.sessions.serializers.JSONSerializer"
},
"SHORT_DATETIME_FORMAT": {
"v": "m/d/Y P"
},
"SHORT_DATE_FORMAT": {
"v": "m/d/Y"
},
"SIGNED_COOKIE_LEGACY_SALT_FALLBACK": {
"v": true
},
"SIGNING_BACKEND": {
"v": "django.core.signing.TimestampSigner"
},
"SILENCED_SYSTEM_CHECKS": {
"v": []
},
"STATICFILES_DIRS": {
"v": []
},
"STATICFILES_FINDERS": {
"v": [
"django.contrib.staticfiles.finders.FileSystemFinder",
"django.contrib.staticfiles.finders.AppDirectoriesFinder"
]
},
"STATIC_ROOT": {
"v": null
},
"STATIC_URL": {
"v": null
},
"STORAGES": {
"v": {
"default": {
"BACKEND": "django.core.files.storage.FileSystemStorage"
},
"staticfiles": {
"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
}
},
"TEMPLATES": {
"v": []
},
"TEST_NON_SERIALIZED_APPS": {
"v": []
},
"TEST_RUNNER": {
"v": "django.test.runner.DiscoverRunner"
},
"THOUSAND_SEPARATOR": {
"v": ","
},
"TIME_FORMAT": {
"v": "P"
},
"TIME_INPUT_FORMATS": {
"v": [
"%H:%M:%S",
"%H:%M:%S.%f",
"%H:%M"
]
},
"TIME_ZONE": {
"v": "America/Chicago"
},
"USE_I18N": {
"v": true
},
"USE_THOUSAND_SEPARATOR": {
"v": false
},
"USE_TZ": {
"v": true
},
"USE_X_FORWARDED_HOST": {
"v": false
},
"USE_X_FORWARDED_PORT": {
"v": false
},
"WSGI_APPLICATION": {
"v": null
},
"X_FRAME_OPTIONS": {
"v": "DENY"
},
"YEAR_MONTH_FORMAT": {
"v": "F Y"
}
};
