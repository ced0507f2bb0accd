"""Production settings: everything from the environment, secure by default.

Requires SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS; passes ``manage.py check --deploy``. Behind nginx set
PROXY_COUNT=1 (the client's address and HTTPS come from the proxy's headers); mail (EMAIL_HOST, …) enables
the password reset (docs/operations.md, "Proxy, lockout and headers").
"""

import os

from django.core.exceptions import ImproperlyConfigured

from . import *  # noqa: F403
from . import env_bool

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")

# Behind our reverse proxy (PROXY_COUNT > 0, see the base settings) the proxy terminates TLS and says so in
# X-Forwarded-Proto; it must overwrite that header from clients (nginx: proxy_set_header). Without a proxy
# the header is a client's word and is not trusted. USE_X_FORWARDED_HOST stays False: ALLOWED_HOSTS and
# the Host header the proxy passes are what links are built from.
if PROXY_COUNT > 0:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
