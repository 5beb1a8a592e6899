"""Authenticator-app enrolment: the otpauth link and its QR code as inline SVG markup."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import mark_safe

__all__ = ["totp_qr_svg"]


def totp_qr_svg(device, user) -> str:
    qr = segno.make(device.config_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True, title="", dark="#111")
    # The SVG is generated here from a fixed alphabet, never from user input.
    return mark_safe(buffer.getvalue().decode())  # noqa: S308
