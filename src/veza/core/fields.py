"""Model fields that seal their value at rest (see `veza.core.crypto`)."""

from __future__ import annotations

import json

from django.db import models

from veza.core.crypto import open_value, seal_value

__all__ = ["SealedJSONField", "SealedTextField"]


class SealedTextField(models.TextField):
    """Text stored sealed (AES-GCM); the database only ever holds ciphertext."""

    def _context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return open_value(value, context=self._context())

    def get_prep_value(self, value):
        if value in (None, ""):
            return value
        return seal_value(str(value), context=self._context())

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "veza.core.fields.SealedTextField", args, kwargs


class SealedJSONField(SealedTextField):
    """A JSON value (lists of documents, contacts, languages) stored sealed."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else None

    def get_prep_value(self, value):
        if value in (None, "", [], {}):
            return ""
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return seal_value(text, context=self._context())

    def to_python(self, value):
        if isinstance(value, str) and value:
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "veza.core.fields.SealedJSONField", args, kwargs
