"""Uploaded files: the size capped, the name's type and the content's type checked (SECURITY.md 19).

Every upload form uses `UploadField`, which refuses — with a translated message and before any
importer reads a byte — a file that is too large, whose name is not one of the accepted types, or
whose content is not what the name says: a program renamed to `.csv`, a ZIP named `.yaml`, a
binary file named `.json`. Uploads are read in memory or from Django's temporary files and never
stored under the web root or served back; what Veza keeps is what the importers make of them.

The whole request is capped as well, before Django reads it (`RequestSizeLimitMiddleware`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

__all__ = [
    "KINDS",
    "RequestSizeLimitMiddleware",
    "UploadField",
    "content_problem",
    "upload_problem",
]

#: Starts of files that are programs or scripts, whatever their name says.
EXECUTABLES = (
    b"MZ",  # Windows PE
    b"\x7fELF",  # Linux
    b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xfe\xed\xfa\xce",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # scripts
    b"\x00asm",  # WebAssembly
)
ZIP = b"PK\x03\x04"
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Kind:
    extensions: tuple[str, ...]
    container: str  # "zip" (XLSX, ZIP), "text" (CSV, JSON, YAML, XML) or "pdf"


KINDS = {
    "csv": Kind((".csv",), "text"),
    "json": Kind((".json",), "text"),
    "yaml": Kind((".yaml", ".yml"), "text"),
    "xml": Kind((".xml",), "text"),
    "card": Kind((".json", ".card"), "text"),
    "xlsx": Kind((".xlsx",), "zip"),
    "zip": Kind((".zip",), "zip"),
    "pdf": Kind((".pdf",), "pdf"),
}
PDF = b"%PDF-"


def _is_text(head: bytes) -> bool:
    if head.startswith(TEXT_BOMS[1:]):
        return True  # UTF-16 with its byte-order mark: the importers that accept it decode it
    sample = head.removeprefix(TEXT_BOMS[0])
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(sample) - 3
    return True


def content_problem(head: bytes, kind: Kind) -> str | None:
    """Why the first bytes of a file are not of `kind`, or None when they may be."""
    if head.startswith(EXECUTABLES):
        return _("The file is a program, not a data file. Nothing was read.")
    if kind.container == "pdf":
        if not head.startswith(PDF):
            return _("The file's content is not what its name says. Nothing was read.")
    elif kind.container == "zip":
        if not head.startswith(ZIP):
            return _("The file's content is not what its name says. Nothing was read.")
    elif head.startswith(ZIP) or not _is_text(head):
        return _("The file's content is not what its name says. Nothing was read.")
    return None


def upload_problem(upload, *, kinds: tuple[str, ...], max_mb: int) -> str | None:
    """Why an uploaded file is refused (translated), or None: too large, a name of another type,
    or content that is not what the name says."""
    if upload.size > max_mb * 1024 * 1024:
        return _("The file is larger than %(size)s MB.") % {"size": max_mb}
    name = (upload.name or "").lower()
    named = [KINDS[k] for k in kinds if name.endswith(KINDS[k].extensions)]
    if not named:
        extensions = sorted({e for k in kinds for e in KINDS[k].extensions})
        return _("Upload a file of one of these types: %(types)s.") % {
            "types": ", ".join(extensions)
        }
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    problems = [content_problem(head, kind) for kind in named]
    return problems[0] if all(problems) else None


class UploadField(forms.FileField):
    """A file of one of `kinds` (keys of KINDS), at most `max_mb` megabytes."""

    def __init__(self, *, kinds: tuple[str, ...], max_mb: int, **kwargs):
        self.kinds, self.max_mb = kinds, max_mb
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            problem = upload_problem(value, kinds=self.kinds, max_mb=self.max_mb)
            if problem:
                raise forms.ValidationError(problem)


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than VEZA_MAX_REQUEST_BYTES before reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.VEZA_MAX_REQUEST_BYTES:
            message = _("The request is too large (at most %(size)s MB).") % {
                "size": settings.VEZA_MAX_REQUEST_BYTES // (1024 * 1024)
            }
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "too_large", "detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
