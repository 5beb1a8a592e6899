"""Authentication backend: passwords from the user record, permissions from live memberships."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from veza.organisations.scope import user_scope

__all__ = ["MembershipBackend"]


class MembershipBackend(ModelBackend):
    """A permission is held when a live membership's role grants it.

    With an object that belongs to an organisation (it has `organisation_id`, or is one), the
    permission must be held in that organisation. Superusers get no blanket pass: administrators
    act through the administrator role like everyone else.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        scope = user_scope(user_obj)
        if obj is None:
            return set(scope.all_perms)
        org_id = getattr(obj, "organisation_id", None)
        if org_id is None and obj.__class__.__name__ == "Organisation":
            org_id = obj.pk
        return set(scope.perms_by_organisation.get(org_id, frozenset()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(app_label + ".") for p in self.get_all_permissions(user_obj))
