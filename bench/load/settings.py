"""Settings of the load benchmark (bench/load/run.py): Veza's own, plus a bare view to compare with.

Served by gunicorn exactly as `veza serve` serves Veza, with DEBUG off and the static files
collected and served by WhiteNoise from their compressed, hashed copies as in production. Nothing
here loosens a limit: login throttling only counts failures, and the scenario makes none.
"""

from veza.settings import *  # noqa: F403
from veza.settings import STORAGES

ROOT_URLCONF = "bench.load.urls"
DEBUG = False
# Static files as in production: collected once (`collectstatic`), hashed and compressed, served
# by WhiteNoise from STATIC_ROOT without looking into the apps on each request.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
