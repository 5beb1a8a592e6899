"""Authenticator-app enrolment: the otpauth link and its QR code as inline SVG markup."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import mark_safe

__all__ = ["totp_qr_svg", "verify_code"]


def totp_qr_svg(device, user) -> str:
    qr = segno.make(device.config_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True, title="", dark="#111")
    # The SVG is generated here from a fixed alphabet, never from user input.
    return mark_safe(buffer.getvalue().decode())  # noqa: S308


def verify_code(devices, code: str):
    """Check a code from the authenticator app against the user's devices, for login and for
    every step-up (approvals): ("ok", device), ("throttled", None) after recent wrong codes, or
    ("wrong", None). A code is accepted once only (django-otp records the last one used)."""
    code = (code or "").replace(" ", "").strip()
    devices = list(devices)
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        return "throttled", None
    if code:
        for device in devices:
            if device.verify_token(code):
                return "ok", device
    return "wrong", None
