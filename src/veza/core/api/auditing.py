"""API reads of personal data are audited like the pages' (SECURITY.md row 12)."""

from __future__ import annotations

from rest_framework.response import Response

from veza.core.audit import audit_read

__all__ = ["AuditedReadsMixin"]


class AuditedReadsMixin:
    """For viewsets of records about a person: every retrieve is audited as `<prefix>.read`
    and every list page as `<prefix>.list` with the ids shown."""

    audit_prefix: str = ""

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self.get_serializer(obj).data
        if not getattr(obj, "emergency_access", None):  # a break-the-glass read is audited so
            audit_read(
                f"{self.audit_prefix}.read",
                actor=request.user,
                obj=obj,
                organisation_id=getattr(obj, "organisation_id", None),
                detail={"via": "api"},
            )
        return Response(data)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        data = response.data
        rows = data.get("results", data) if isinstance(data, dict) else data
        ids = [row.get("id") for row in rows if isinstance(row, dict)]
        audit_read(
            f"{self.audit_prefix}.list",
            actor=request.user,
            detail={"via": "api", "ids": ids[:200], "count": len(ids)},
        )
        return response
