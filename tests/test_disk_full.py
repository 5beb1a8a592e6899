"""The disk fills up under an upload (issue 12).

Django spools an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to FILE_UPLOAD_TEMP_DIR. Here that
directory is a tiny tmpfs, nearly filled by another file, and a real import (recommendations, as a
page form and through the API) is sent: the answer is 507 Insufficient Storage with a translated
message, not a 500; nothing is written to the database and no temporary file is left; once the
space is back, the same upload is imported.

Mounting needs root (CI runs as root); elsewhere the test is skipped, unless VEZA_REQUIRE_MOUNT=1
makes that a failure.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import login_verified
from tests.recommendations.helpers import policy_officer
from tests.recommendations.test_import import HEADER
from veza.core.models import AuditEntry
from veza.recommendations.models import Recommendation

pytestmark = pytest.mark.django_db

ROWS = 400  # about 40 KB: more than stays in memory here, more than the room left on the disk


@pytest.fixture
def tiny_disk(tmp_path, settings):
    """A 256 KB tmpfs for the uploads' temporary files, all but 16 KB of it taken by a filler."""
    mount = tmp_path / "uploads-tmp"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs here ({done.stderr.strip() or 'not permitted'})"
        if os.environ.get("VEZA_REQUIRE_MOUNT") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        filler = mount / "filler"
        filler.write_bytes(b"\0" * (240 * 1024))
        settings.FILE_UPLOAD_TEMP_DIR = str(mount)
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False, capture_output=True)


def leftovers(mount: Path) -> list[str]:
    return sorted(p.name for p in mount.iterdir() if p.name != "filler")


def upload_file() -> io.BytesIO:
    rows = [
        f"RS,greta,GRETA report (test),2019,{n},protection,identification,urgent,"
        f"Screen migrants for signs of trafficking ({n}).,"
        for n in range(1, ROWS + 1)
    ]
    file = io.BytesIO(("\n".join([HEADER, *rows]) + "\n").encode())
    file.name = "recommendations.csv"
    return file


def test_an_upload_to_a_full_disk_is_refused_cleanly_and_works_once_space_is_back(
    client, tiny_disk
):
    officer = policy_officer("RS")
    login_verified(client, officer)
    participant = officer.memberships.first().organisation.participant
    url = reverse("recommendations:import")
    audit_before = AuditEntry.objects.count()

    page = client.post(url, {"participant": participant.pk, "file": upload_file()})
    assert page.status_code == 507
    assert "no room left" in page.content.decode()
    api = client.post("/api/v1/recommendations/import/", {"file": upload_file()})
    assert api.status_code == 507
    assert api.json()["code"] == "storage_full" and "no room left" in api.json()["detail"]

    assert Recommendation.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    assert leftovers(tiny_disk) == []

    (tiny_disk / "filler").unlink()  # the space is back
    done = client.post(url, {"participant": participant.pk, "file": upload_file()})
    assert done.status_code == 302
    assert Recommendation.objects.count() == ROWS
    assert leftovers(tiny_disk) == []
