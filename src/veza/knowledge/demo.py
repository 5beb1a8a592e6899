"""The demo library: Serbia's national coordinator (`rs.coordinator`) has published a guide for
everyone in English, Serbian (Cyrillic) and Albanian, and an SOP summary for professionals, and
has a draft checklist waiting that a demo user can publish. Written through the services, as the
coordinator, so the audit log shows who did what. Idempotent: documents that exist are left."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from veza.core.errors import PermissionDeniedError
from veza.knowledge.content import load_demo_documents
from veza.knowledge.models import Document
from veza.knowledge.services import document_create, text_save, version_publish
from veza.organisations.models import Participant

__all__ = ["COORDINATOR", "demo_library"]

COORDINATOR = "rs.coordinator"


@transaction.atomic
def demo_library(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    user = get_user_model().objects.filter(username=COORDINATOR).first()
    participant = Participant.objects.filter(code="RS").first()
    if user is None or participant is None:
        return {"lines": [f"No demo user {COORDINATOR}: no demo guidance library."]}
    made = []
    for item in load_demo_documents():
        if Document.objects.filter(slug=item.slug).exists():
            continue
        languages = list(item.texts)
        first = item.texts[languages[0]]
        document = document_create(
            actor=user,
            participant=participant,
            kind=item.kind,
            topic=item.topic,
            audience=item.audience,
            slug=item.slug,
            language=languages[0],
            is_demo=True,
            **first,
        )
        for language in languages[1:]:
            text_save(
                actor=user,
                document=document,
                expected_version=document.version,
                language=language,
                **item.texts[language],
            )
            document.refresh_from_db(fields=["version"])
        if item.state == "published":
            version_publish(actor=user, document=document, expected_version=document.version)
        made.append(f"{item.slug} ({item.state}, {', '.join(languages)})")
    if not made:
        return {"lines": ["The demo guidance library exists already."]}
    return {
        "lines": [
            "Guidance library: " + "; ".join(made) + ". The public page is /library/; "
            f"{COORDINATOR} publishes the draft at /guidance/."
        ]
    }
