"""`veza serve [ADDR:PORT]`: Veza behind gunicorn, static files served by Veza itself."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app, options):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


class Command(BaseCommand):
    help = "Serve Veza on ADDR:PORT (default 127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=75,
            help="Seconds an idle connection is kept open for the next request (default 75).",
        )

    def handle(self, *args, addrport, workers, threads, keep_alive, **options):
        if ":" not in addrport:
            raise CommandError("Give the address as ADDR:PORT, for example 127.0.0.1:8000.")
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        from veza.wsgi import application

        self.stdout.write(f"Veza ({settings.VEZA_ENV}) on http://{addrport}/  — Ctrl+C stops it.")
        _Gunicorn(
            application,
            {
                "bind": addrport,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                # The access log shows paths and status only; Veza never puts personal data in URLs.
                "access_log_format": '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
                "timeout": 60,
                "graceful_timeout": 10,
                # Longer than a person's pause between pages and than a proxy's idle connections
                # (nginx: 60 s), so the server never closes a connection the client is about to
                # reuse: a request sent as the server closes it is lost (measured: bench/README.md,
                # "Load"). An idle connection costs gthread a socket, not a thread.
                "keepalive": keep_alive,
            },
        ).run()
