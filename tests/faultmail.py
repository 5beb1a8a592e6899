"""An e-mail backend for the fault tests (tests/test_worker_faults.py), set through Django's own
`EMAIL_BACKEND` hook (`VEZA_EMAIL_BACKEND`) in the worker process it starts.

It writes mail as Django's file backend does, into `$VEZA_FAULT_DIR/mail/`. Before it sends, it
leaves a mark `$VEZA_FAULT_DIR/sending-<pid>` and waits while `$VEZA_FAULT_DIR/hold` exists: the
test knows the worker is in the middle of its task, and kills it there.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

__all__ = ["HoldingEmailBackend"]


class HoldingEmailBackend(EmailBackend):
    def __init__(self, *args, **kwargs):
        self.fault_dir = Path(os.environ["VEZA_FAULT_DIR"])
        kwargs["file_path"] = str(self.fault_dir / "mail")
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages):
        (self.fault_dir / f"sending-{os.getpid()}").touch()
        while (self.fault_dir / "hold").exists():
            time.sleep(0.05)
        return super().send_messages(email_messages)
