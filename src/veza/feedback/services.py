"""The writes of survivor feedback: the link a service hands over, and the anonymous answers.

The link carries a signed token (django.core.signing, with a salt of its own) that names ONLY the
participant and the service type: no organisation, no worker, no person and no date, so an answer
cannot be traced back to who handed the card over or when. The signature means it cannot be
forged or altered; a token that does not verify is refused before anything is read or written.

Neither write makes an audit entry, and that is deliberate. Making a link changes nothing (it is
computed, not stored). An answer is anonymous by design: an audit entry carries the exact second
and the IP address of the request, which would undo the month-only time and the absence of any
network trace that keep the answers anonymous (see docs/feedback.md).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veza.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from veza.feedback.form import load_form
from veza.feedback.models import OFFER, FeedbackResponse
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Organisation, Participant
from veza.organisations.scope import user_scope
from veza.referrals.choices import ServiceType

__all__ = [
    "SALT",
    "InvalidLinkError",
    "Link",
    "feedback_link_make",
    "feedback_link_read",
    "feedback_submit",
    "link_token",
]

#: The signing salt of feedback links: a token signed for anything else never verifies here.
SALT = "veza.feedback.link"
_SIGNER = signing.Signer(salt=SALT)


class InvalidLinkError(NotFoundError):
    code = "feedback_link_invalid"
    default_message = _("This feedback link is not complete or has been changed.")


@dataclass(frozen=True)
class Link:
    participant: Participant
    service_type: str
    token: str


def link_token(*, participant_code: str, service_type: str) -> str:
    """The signed token of a link: the participant's code and the service type, nothing else."""
    # A plain Signer, not signing.dumps: dumps adds a timestamp, and the link carries no date.
    return _SIGNER.sign_object([participant_code, service_type])


def feedback_link_make(*, actor, organisation: Organisation, service_type: str) -> Link:
    """A link for the service type, for a worker of `organisation` who may offer the form. The
    organisation decides only the participant named in the token; it is not in the token."""
    if organisation.pk not in user_scope(actor).organisations_with(OFFER):
        raise PermissionDeniedError()
    if service_type not in ServiceType.values:
        raise ValidationError(fields={"service_type": [_("Choose a service type.")]})
    participant = organisation.participant
    token = link_token(participant_code=participant.code, service_type=service_type)
    return Link(participant=participant, service_type=service_type, token=token)


def feedback_link_read(token: str) -> Link:
    """The participant and service type a token names; InvalidLinkError when it was altered,
    cut short, signed for something else or names what no longer exists."""
    try:
        value = _SIGNER.unsign_object(token)
    except (signing.BadSignature, ValueError, zlib.error) as exc:
        # A value signed with our key but not in our shape (e.g. a timestamped one) fails to
        # decode: a base64, JSON or text error (each a ValueError) or a zlib error.
        raise InvalidLinkError() from exc
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, str) for v in value)
        or value[1] not in ServiceType.values
    ):
        raise InvalidLinkError()
    participant = Participant.objects.filter(code=value[0], kind=ParticipantKind.NATIONAL).first()
    if participant is None:
        raise InvalidLinkError()
    return Link(participant=participant, service_type=value[1], token=token)


@transaction.atomic
def feedback_submit(
    *, token: str, language: str, answers: dict[str, str]
) -> FeedbackResponse | None:
    """Keep one anonymous response: participant, service type, month, language and the answers
    given. An empty form is allowed and keeps nothing (None). Anything unknown is refused whole.

    The token is the only permission: the form has no login."""
    link = feedback_link_read(token)
    form = load_form()
    if language not in form.languages:
        raise ValidationError(fields={"language": [_("Unknown language.")]})
    given = {q: a for q, a in answers.items() if a not in (None, "")}
    questions, scale = set(form.question_ids()), set(form.answer_ids())
    if set(given) - questions or set(given.values()) - scale:
        raise ValidationError(fields={"answers": [_("An answer that the form does not offer.")]})
    if not given:
        return None
    return FeedbackResponse.objects.create(
        participant=link.participant,
        service_type=link.service_type,
        month=timezone.localdate().replace(day=1),
        language=language,
        answers={q: given[q] for q in form.question_ids() if q in given},
    )
