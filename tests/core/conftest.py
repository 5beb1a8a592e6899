import shutil

import pytest


@pytest.fixture
def isolated_keys(settings, tmp_path, monkeypatch):
    """A private copy of the instance keys: tests that add, retire or swap keys do not touch the
    folder other tests (and other xdist workers) use. Copied, so the audit chain still verifies."""
    from pathlib import Path

    from veza.core.crypto import field_keys

    field_keys()  # make sure field-1 exists before copying
    folder = tmp_path / "keys"
    shutil.copytree(Path(settings.VEZA_KEYS_DIR), folder)
    monkeypatch.delenv("VEZA_FIELD_KEYS", raising=False)
    settings.VEZA_KEYS_DIR = folder
    return folder
