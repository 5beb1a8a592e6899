"""Demo survivor feedback: answers for a few service types in three participants, some in numbers
large enough to publish and some so small that the summary shows them as protected (invented,
like all demo data)."""

from __future__ import annotations

import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from veza.core.errors import PermissionDeniedError
from veza.feedback.form import ANSWERS, QUESTIONS
from veza.feedback.models import FeedbackResponse
from veza.feedback.services import feedback_submit, link_token
from veza.organisations.models import Participant

__all__ = ["DEMO_RESPONSES", "demo_feedback"]

#: participant -> service type -> number of responses this year. The small ones (health in RS,
#: mental health in AL, legal aid in BA) are below the threshold and show as protected.
DEMO_RESPONSES = {
    "RS": {"shelter": 18, "legal_aid": 11, "health": 3},
    "AL": {"shelter": 12, "mhpss": 2},
    "BA": {"shelter": 9, "legal_aid": 4},
}
#: How often each answer is given (a skipped question is "").
WEIGHTS = {"yes": 6, "partly": 3, "no": 1, "prefer_not": 1, "": 1}


@transaction.atomic
def demo_feedback(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    if FeedbackResponse.objects.exists():
        return {"lines": ["Feedback answers exist already: no demo feedback added."]}
    present = set(
        Participant.objects.filter(code__in=DEMO_RESPONSES).values_list("code", flat=True)
    )
    chooser = random.Random(66)  # the same demo every time
    today = timezone.localdate()
    made = 0
    for code, services in DEMO_RESPONSES.items():
        if code not in present:
            continue
        for service_type, count in services.items():
            token = link_token(participant_code=code, service_type=service_type)
            for number in range(count):
                answers = {
                    q: chooser.choices([*WEIGHTS], weights=[*WEIGHTS.values()])[0]
                    for q in QUESTIONS
                }
                if not any(answers.values()):  # an empty form keeps nothing
                    answers[QUESTIONS[0]] = ANSWERS[0]
                response = feedback_submit(
                    token=token,
                    language=chooser.choice(("en", "sr", "sq", "ar", "fa")),
                    answers=answers,
                )
                if response is None:
                    continue
                # Spread over the months of this year so far (always a first day).
                month = today.replace(month=1 + number % today.month, day=1)
                FeedbackResponse.objects.filter(pk=response.pk).update(month=month)
                made += 1
    return {
        "lines": [
            f"Survivor feedback: {made} anonymous answers in {len(present)} participants; "
            "rs.coordinator sees the summary at /feedback/summary/ (small counts protected), "
            "hub.analyst every participant side by side."
        ]
    }
