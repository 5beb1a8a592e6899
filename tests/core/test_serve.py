"""`veza serve`: the production server keeps an idle connection open for the next request.

A browser (or a proxy in front of Veza) reuses its connection after a pause; a server that
closes idle connections after two seconds (gunicorn's default) loses the request that is sent
as it closes (the load run's dropped requests, bench/README.md "Load"). Served for real, in a
subprocess, over a socket.
"""

import http.client
import os
import subprocess
import sys
import time

from tests.pgcluster import free_port


def test_a_connection_is_reused_after_a_pause_longer_than_gunicorns_default(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("VEZA_", "DJANGO_"))}
    environment.pop("DATABASE_URL", None)
    environment["VEZA_DATA_DIR"] = str(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "veza", "serve", f"127.0.0.1:{port}", "--workers", "1"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/health/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "not serving"
                time.sleep(0.2)
        first = connection.getresponse()
        first.read()
        assert first.status in (200, 503)  # a fresh data directory: no tables yet
        assert first.getheader("Connection", "").lower() != "close"
        time.sleep(3)  # longer than gunicorn's default keep-alive (2 s)
        connection.request("GET", "/health/")  # the same socket: not reopened
        second = connection.getresponse()
        second.read()
        assert second.status == first.status
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
