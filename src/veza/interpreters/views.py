"""Pages of the interpreter pool: a professional asks for an interpreter and books one of the
ranked suggestions; the interpreter confirms and keeps their availability; the coordinator sees
the pool and its use."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from veza.core.audit import audit_read
from veza.core.charts import stacked_bars
from veza.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from veza.core.paging import BoundedPaginator
from veza.core.scoping import require_perm
from veza.core.web import add_errors
from veza.interpreters import matching
from veza.interpreters.models import (
    Gender,
    Interpreter,
    Setting,
    SupportContact,
)
from veza.interpreters.selectors import concerns, suggest, usage, visible_requests
from veza.interpreters.services import (
    availability_add,
    availability_remove,
    booking_cancel,
    booking_confirm,
    booking_decline,
    booking_done,
    booking_propose,
    feedback_record,
    request_cancel,
    request_create,
    support_contact_save,
)
from veza.organisations.models import Organisation, Participant
from veza.organisations.scope import user_scope
from veza.referrals.notices import notices_unread

__all__ = [
    "interpreter_edit",
    "my_bookings",
    "pool",
    "request_detail",
    "request_list",
    "request_new",
    "support",
]

REQUEST = "interpreters.add_interpreterrequest"
COORDINATE = "interpreters.coordinate_pool"
NOTICES = "interpreter."  # the pool's notices (their kinds start so)
#: The professionals' languages of the region (ISO 639-3).
TARGETS = [
    ("srp", gettext_lazy("Serbian")),
    ("mkd", gettext_lazy("Macedonian")),
    ("sqi", gettext_lazy("Albanian")),
    ("bos", gettext_lazy("Bosnian")),
    ("hrv", gettext_lazy("Croatian")),
    ("cnr", gettext_lazy("Montenegrin")),
    ("eng", gettext_lazy("English")),
]
#: What each reason of the engine means, in words the requester reads (numbers filled in);
#: the engine's English templates (matching.REASONS) are the fallback.
REASON_TEXT = {
    "language_missing": gettext_lazy("speaks none of %(languages)s"),
    "proficiency_low": gettext_lazy(
        "speaks %(language)s only at level %(level)s (level %(required)s needed)"
    ),
    "target_language_missing": gettext_lazy("does not interpret into %(language)s"),
    "vetting_missing": gettext_lazy("not vetted"),
    "vetting_expired": gettext_lazy("vetting valid only until %(until)s"),
    "confidentiality_missing": gettext_lazy("has not signed the confidentiality undertaking"),
    "conflict": gettext_lazy("declared a conflict of interest: %(tags)s"),
    "gender_required": gettext_lazy("a %(gender)s interpreter is required"),
    "remote_not_offered": gettext_lazy("does not work remotely"),
    "on_site_not_offered": gettext_lazy("does not work on site"),
    "too_far": gettext_lazy("based %(km)s km away, travels up to %(max_km)s km"),
    "not_available": gettext_lazy("not available for the whole time requested"),
    "double_booked": gettext_lazy("already booked %(start)s to %(end)s"),
    "language": gettext_lazy("speaks %(language)s at level %(level)s of 5"),
    "dialect": gettext_lazy("speaks the %(dialect)s dialect"),
    "remote": gettext_lazy("works remotely"),
    "distance": gettext_lazy("based %(km)s km away"),
    "distance_unknown": gettext_lazy("distance unknown"),
    "setting_experience": gettext_lazy("%(count)s earlier assignments in this setting"),
    "fair_share": gettext_lazy("%(hours)s hours booked in the last 90 days"),
    "feedback": gettext_lazy("past feedback %(percent)s%%"),
    "feedback_none": gettext_lazy("no feedback yet (counted as average)"),
    "trained_trafficking": gettext_lazy("trained on trafficking in human beings"),
    "trained_trauma": gettext_lazy("trained in trauma-informed interpreting"),
    "gender_preferred": gettext_lazy("the preferred gender"),
    "same_participant": gettext_lazy("based in the same participant (%(participant)s)"),
}


LEVELS = [
    (5, gettext_lazy("5 — native")),
    (4, gettext_lazy("4 — fluent")),
    (3, gettext_lazy("3 — working knowledge")),
    (2, gettext_lazy("2 — basic")),
    (1, gettext_lazy("1 — beginner")),
]


def reason_text(reason) -> str:
    params = {}
    for key, value in dict(reason.params).items():
        if isinstance(value, float):
            value = f"{value:.0f}" if value >= 10 else f"{value:.1f}"
        elif isinstance(value, (list, tuple, set, frozenset)):
            value = ", ".join(sorted(str(v) for v in value))
        elif key == "gender" and value in Gender.values:
            value = str(Gender(value).label).lower()
        elif hasattr(value, "strftime"):
            value = value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "hour") else str(value)
        params[key] = value
    template = REASON_TEXT.get(reason.code)
    try:
        if template is not None:
            return str(template) % params
        return matching.REASONS.get(reason.code, reason.code).format(**params)
    except (KeyError, TypeError, ValueError, IndexError):
        return reason.code


class RequestForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Case, screening or referral code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("A pseudonymous code only, never a name."),
    )
    languages = forms.CharField(
        label=gettext_lazy("The person's language(s)"),
        max_length=60,
        help_text=gettext_lazy(
            "ISO 639-3 codes, in order of preference, e.g. pus (Pashto), prs (Dari), ara (Arabic)."
        ),
    )
    dialect = forms.CharField(
        label=gettext_lazy("Dialect (if it matters)"), max_length=60, required=False
    )
    target_language = forms.ChoiceField(label=gettext_lazy("Into"), choices=TARGETS)
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    hours = forms.DecimalField(
        label=gettext_lazy("Duration (hours)"),
        min_value=0.5,
        max_value=12,
        decimal_places=1,
        initial=2,
    )
    setting = forms.ChoiceField(label=gettext_lazy("Setting"), choices=Setting.choices)
    trafficking_related = forms.BooleanField(
        label=gettext_lazy("About trafficking in human beings"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Interpreters trained on trafficking and on trauma come first."),
    )
    min_proficiency = forms.TypedChoiceField(
        label=gettext_lazy("Lowest level accepted in the person's language"),
        choices=LEVELS,
        coerce=int,
        initial=4,
        required=False,
        empty_value=4,
    )
    remote = forms.BooleanField(label=gettext_lazy("Remote (video or phone)"), required=False)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    urgent = forms.BooleanField(label=gettext_lazy("Urgent"), required=False)
    gender_required = forms.ChoiceField(
        label=gettext_lazy("Interpreter's gender: required"),
        choices=[("", gettext_lazy("no requirement")), *Gender.choices],
        required=False,
    )
    gender_preferred = forms.ChoiceField(
        label=gettext_lazy("Interpreter's gender: preferred"),
        choices=[("", gettext_lazy("no preference")), *Gender.choices],
        required=False,
    )
    avoid = forms.CharField(
        label=gettext_lazy("Conflicts to avoid"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Communities or groups, separated by commas."),
    )


def _organisations(user):
    return Organisation.objects.filter(pk__in=user_scope(user).organisations_with(REQUEST))


@require_http_methods(["GET", "POST"])
def request_new(request):
    require_perm(request.user, REQUEST)
    organisations = list(_organisations(request.user))
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = RequestForm(request.POST or None, initial={"date": tomorrow, "time": "10:00"})
    if request.method == "POST" and form.is_valid() and organisations:
        data = form.cleaned_data
        start = timezone.make_aware(datetime.combine(data["date"], data["time"]))
        try:
            created = request_create(
                actor=request.user,
                organisation=organisations[0],
                reference=data["reference"],
                languages=[x for x in data["languages"].replace(",", " ").split() if x],
                dialect=data["dialect"],
                target_language=data["target_language"],
                start=start,
                end=start + timedelta(hours=float(data["hours"])),
                remote=data["remote"],
                place=data["place"],
                urgent=data["urgent"],
                gender_required=data["gender_required"],
                gender_preferred=data["gender_preferred"],
                setting=data["setting"],
                trafficking_related=data["trafficking_related"],
                min_proficiency=data["min_proficiency"],
                avoid=[x.strip() for x in data["avoid"].split(",") if x.strip()],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("interpreters:request", pk=created.pk)
    return render(
        request, "interpreters/request_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
def request_list(request):
    require_perm(request.user, "interpreters.view_interpreterrequest")
    return render(
        request,
        "interpreters/requests.html",
        {
            "requests": BoundedPaginator(visible_requests(request.user), 25).get_page(
                request.GET.get("page")
            ),
            "may_request": request.user.has_perm(REQUEST),
            **_notices(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    require_perm(request.user, "interpreters.view_interpreterrequest")
    item = visible_requests(request.user).filter(pk=pk).first()
    if item is None:
        raise NotFoundError()
    if request.method == "GET":
        audit_read(
            "interpreter_request.read",
            actor=request.user,
            obj=item,
            organisation_id=item.organisation_id,
        )
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        booking = item.bookings.filter(pk=request.POST.get("booking") or 0).first()
        version = request.POST.get("version")  # as read: a change meanwhile is a conflict
        try:
            if action == "ask":
                interpreter = (
                    Interpreter.objects.visible_to(request.user)
                    .filter(pk=request.POST.get("interpreter") or 0)
                    .first()
                )
                if interpreter is None:
                    raise NotFoundError()
                ranked = {i.pk: (n, r) for n, (i, r) in enumerate(suggest(item)[0], start=1)}
                rank, result = ranked.get(interpreter.pk, (0, None))
                reasons = [reason_text(r) for r in result.reasons] if result else []
                booking = booking_propose(
                    actor=request.user,
                    request=item,
                    interpreter=interpreter,
                    rank=rank,
                    reasons=reasons,
                )
                if request.POST.get("confirm") and request.user.has_perm(COORDINATE):
                    booking_confirm(actor=request.user, booking=booking)
            elif action == "confirm" and booking:
                booking_confirm(actor=request.user, booking=booking, expected_version=version)
            elif action == "cancel" and booking:
                booking_cancel(actor=request.user, booking=booking, expected_version=version)
            elif action == "no_show" and booking:
                booking_cancel(
                    actor=request.user, booking=booking, no_show=True, expected_version=version
                )
            elif action == "done" and booking:
                booking_done(actor=request.user, booking=booking, expected_version=version)
            elif action == "feedback" and booking:
                feedback_record(
                    actor=request.user,
                    booking=booking,
                    quality=request.POST.get("quality") or None,
                    neutral=request.POST.get("neutral") == "yes",
                    confidentiality_concern=bool(request.POST.get("confidentiality_concern")),
                    comment=request.POST.get("comment", ""),
                )
            elif action == "cancel_request":
                request_cancel(actor=request.user, request=item)
            else:
                raise ValidationError(_("This step is not possible now."))
        except ConflictError as exc:
            error = str(exc.message)
        except ValidationError as exc:
            error = exc.text()
        else:
            messages.success(request, _("Done."))
            return redirect("interpreters:request", pk=item.pk)
        item.refresh_from_db()
    holding = (
        item.bookings.filter(status__in=["proposed", "confirmed"])
        .select_related("interpreter")
        .first()
    )
    ranked, excluded = ([], [])
    if item.status == "open" and holding is None:
        ranked, excluded = suggest(item)
    return render(
        request,
        "interpreters/request.html",
        {
            "item": item,
            "holding": holding,
            "bookings": item.bookings.select_related("interpreter"),
            "ranked": [
                {"interpreter": i, "score": r.score, "reasons": [reason_text(x) for x in r.reasons]}
                for i, r in ranked
            ],
            "excluded": [{"interpreter": i, "reason": reason_text(e.reason)} for i, e in excluded],
            "is_coordinator": request.user.has_perm(COORDINATE),
            "error": error,
        },
        status=409 if error else 200,
    )


class AvailabilityForm(forms.Form):
    start = forms.DateTimeField(
        label=gettext_lazy("Available from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    end = forms.DateTimeField(
        label=gettext_lazy("Available until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


@require_http_methods(["GET", "POST"])
def my_bookings(request):
    """The interpreter's own page: bookings to confirm, the calendar of availability."""
    interpreter = (
        getattr(request.user, "interpreter", None) if request.user.is_authenticated else None
    )
    if interpreter is None:
        raise PermissionDeniedError()
    form = AvailabilityForm(request.POST if request.POST.get("action") == "available" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        booking = interpreter.bookings.filter(pk=request.POST.get("booking") or 0).first()
        version = request.POST.get("version")  # as read: a change meanwhile is a conflict
        slot = interpreter.availability.filter(pk=request.POST.get("slot") or 0).first()
        try:
            if action == "available" and form.is_valid():
                availability_add(
                    actor=request.user,
                    interpreter=interpreter,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                )
                return redirect("interpreters:mine")
            if action == "unavailable" and slot:
                availability_remove(actor=request.user, slot=slot)
                messages.success(request, _("The period is removed."))
                return redirect("interpreters:mine")
            if action == "confirm" and booking:
                booking_confirm(actor=request.user, booking=booking, expected_version=version)
                return redirect("interpreters:mine")
            if action == "feedback" and booking:
                feedback = feedback_record(
                    actor=request.user,
                    booking=booking,
                    safety_concern=bool(request.POST.get("safety_concern")),
                    distress=bool(request.POST.get("distress")),
                    comment=request.POST.get("comment", ""),
                )
                if feedback.safety_concern or feedback.distress:
                    messages.success(
                        request, _("Thank you. The coordinator is told and will get in touch.")
                    )
                    return redirect("interpreters:support")
                messages.success(request, _("Thank you."))
                return redirect("interpreters:mine")
            if action == "decline" and booking:
                booking_decline(
                    actor=request.user,
                    booking=booking,
                    note=request.POST.get("note", ""),
                    expected_version=version,
                )
                return redirect("interpreters:mine")
        except (ValidationError, ConflictError) as exc:
            add_errors(form, exc) if isinstance(exc, ValidationError) else form.add_error(
                None, exc.message
            )
    now = timezone.now()
    return render(
        request,
        "interpreters/mine.html",
        {
            "interpreter": interpreter,
            "bookings": interpreter.bookings.filter(
                end__gte=now - timedelta(days=30)
            ).select_related("request"),
            "availability": interpreter.availability.filter(end__gte=now),
            "form": form,
            **_notices(request.user),
        },
    )


def _notices(user) -> dict:
    return {"notices": notices_unread(user, prefix=NOTICES), "notices_prefix": NOTICES}


class SupportForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("Web page"), required=False, assume_scheme="https")

    class Meta:
        model = SupportContact
        fields = ["name", "phone", "email", "url", "hours", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


@require_http_methods(["GET", "POST"])
def support(request):
    """Where an interpreter turns after a hard assignment; the coordinator keeps it current."""
    interpreter = getattr(request.user, "interpreter", None)
    coordinated = list(
        Participant.objects.filter(
            pk__in=user_scope(request.user).participants_with(COORDINATE)
        ).order_by("code")
    )
    if interpreter is None and not coordinated:
        raise PermissionDeniedError()
    chosen = next((p for p in coordinated if p.code == request.GET.get("participant")), None)
    if chosen is not None:
        participant_id = chosen.pk
    else:
        participant_id = interpreter.participant_id if interpreter else coordinated[0].pk
    contact = SupportContact.objects.filter(participant_id=participant_id).first()
    form = None
    if participant_id in {p.pk for p in coordinated}:
        form = SupportForm(request.POST or None, instance=contact)
        if request.method == "POST" and form.is_valid():
            try:
                support_contact_save(
                    actor=request.user,
                    participant=Participant.objects.get(pk=participant_id),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.get_full_path())
    elif request.method == "POST":
        raise PermissionDeniedError()
    return render(
        request,
        "interpreters/support.html",
        {
            "contact": contact,
            "form": form,
            "participants": coordinated if len(coordinated) > 1 else [],
            "participant_id": participant_id,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
def pool(request):
    """The coordinator's view: the interpreters, how the pool is used, the concerns raised."""
    require_perm(request.user, COORDINATE)
    participants = user_scope(request.user).participants_with(COORDINATE)
    used = usage(participants)
    return render(
        request,
        "interpreters/pool.html",
        {
            "interpreters": Paginator(
                Interpreter.objects.filter(participant_id__in=participants).prefetch_related(
                    "skills"
                ),
                25,
            ).get_page(request.GET.get("page")),
            "usage": used,
            "language_chart": _booked_chart(
                [(language, n["booked"], n["requests"]) for language, n in used["per_language"]],
                _("Requests by language: booked and not booked"),
            ),
            "setting_chart": _booked_chart(
                [
                    (str(Setting(row["setting"]).label), row["booked"], row["requests"])
                    for row in used["per_setting"]
                ],
                _("Requests by setting: booked and not booked"),
            ),
            "concerns": concerns(participants),
            "support": SupportContact.objects.filter(participant_id__in=participants).first(),
            **_notices(request.user),
        },
    )


def _booked_chart(rows: list[tuple[str, int, int]], title: str) -> str:
    """Bars of (label, booked, requests), the twelve largest."""
    return mark_safe(  # noqa: S308  (the chart escapes every text it draws)
        stacked_bars(
            [(label, [booked, asked - booked]) for label, booked, asked in rows[:12]],
            keys=[_("Booked"), _("Not booked")],
            title=title,
        )
    )


class InterpreterForm(forms.ModelForm):
    skills_text = forms.CharField(
        label=gettext_lazy("Languages and levels"),
        max_length=300,
        help_text=gettext_lazy(
            "ISO 639-3 code and level (5 native, 4 fluent, 3 working, 2 basic, 1 beginner), "
            "separated by commas, e.g. pus:5, prs:4."
        ),
    )
    targets_text = forms.CharField(
        label=gettext_lazy("Interprets into"),
        max_length=100,
        help_text=gettext_lazy("ISO 639-3 codes, e.g. srp, eng."),
    )
    dialects_text = forms.CharField(
        label=gettext_lazy("Dialects"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One line per language: the code, a colon, the dialects separated by commas, "
            "e.g. pus: Kandahari, Yusufzai."
        ),
    )
    conflicts_text = forms.CharField(
        label=gettext_lazy("Conflicts of interest"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Communities, groups or places, separated by commas."),
    )

    class Meta:
        model = Interpreter
        fields = [
            "name",
            "gender",
            "area",
            "remote",
            "on_site",
            "travel_km_max",
            "accreditation",
            "trafficking_training",
            "trauma_training",
            "vetting",
            "vetted_until",
            "confidentiality_signed",
            "rate_per_hour",
            "is_active",
        ]
        widgets = {
            f: forms.DateInput(attrs={"type": "date"})
            for f in (
                "trafficking_training",
                "trauma_training",
                "vetted_until",
                "confidentiality_signed",
            )
        }

    def clean_skills_text(self):
        skills = []
        for part in self.cleaned_data["skills_text"].replace(";", ",").split(","):
            code, _sep, level = part.strip().partition(":")
            if not code:
                continue
            if not level.strip().isdigit():
                raise forms.ValidationError(_("Give a level after each code, e.g. pus:5."))
            skills.append((code.strip().lower(), int(level)))
        return skills

    def clean_dialects_text(self):
        dialects = {}
        for line in self.cleaned_data["dialects_text"].splitlines():
            if not line.strip():
                continue
            code, sep, names = line.partition(":")
            if not sep or len(code.strip()) != 3:
                raise forms.ValidationError(
                    _("Start each line with the language code and a colon, e.g. pus: Kandahari.")
                )
            dialects[code.strip().lower()] = [n.strip() for n in names.split(",") if n.strip()]
        return dialects

    def clean(self):
        cleaned = super().clean()
        codes = {code for code, _level in cleaned.get("skills_text") or []}
        unknown = sorted(set(cleaned.get("dialects_text") or {}) - codes)
        if unknown:
            self.add_error(
                "dialects_text",
                _("Dialects of a language the interpreter does not speak: %(codes)s.")
                % {"codes": ", ".join(unknown)},
            )
        return cleaned


def _split(text: str) -> list[str]:
    return [x.strip().lower() for x in text.replace(";", ",").split(",") if x.strip()]


@require_http_methods(["GET", "POST"])
def interpreter_edit(request, pk=None):
    """The coordinator adds an interpreter to the pool, or changes one."""
    require_perm(request.user, COORDINATE)
    participants = list(user_scope(request.user).participants_with(COORDINATE))
    instance = None
    if pk is not None:
        instance = Interpreter.objects.filter(pk=pk, participant_id__in=participants).first()
        if instance is None:
            raise NotFoundError()
    initial = {}
    if instance is not None:
        initial = {
            "skills_text": ", ".join(
                f"{s.language}:{s.proficiency}" for s in instance.skills.all()
            ),
            "targets_text": ", ".join(instance.target_languages or []),
            "dialects_text": "\n".join(
                f"{s.language}: {', '.join(s.dialects)}"
                for s in instance.skills.all()
                if s.dialects
            ),
            "conflicts_text": ", ".join(instance.conflicts or []),
        }
    form = InterpreterForm(request.POST or None, instance=instance, initial=initial)
    choices = list(
        Participant.objects.filter(pk__in=participants).order_by("code").values_list("pk", "name")
    )
    if instance is None and len(choices) > 1:  # a coordinator of several participants chooses
        form.fields["participant"] = forms.TypedChoiceField(
            label=gettext_lazy("Participant"), choices=choices, coerce=int
        )
    if request.method == "POST" and form.is_valid():
        from veza.interpreters.services import interpreter_save

        values = {f: form.cleaned_data[f] for f in InterpreterForm.Meta.fields}
        values["target_languages"] = _split(form.cleaned_data["targets_text"])
        values["conflicts"] = _split(form.cleaned_data["conflicts_text"])
        participant = (
            instance.participant
            if instance
            else Participant.objects.get(pk=form.cleaned_data.get("participant", choices[0][0]))
        )
        try:
            saved = interpreter_save(
                actor=request.user,
                participant=participant,
                interpreter=instance,
                skills=[
                    (code, level, form.cleaned_data["dialects_text"].get(code, []))
                    for code, level in form.cleaned_data["skills_text"]
                ],
                **values,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved in the pool.") % {"name": saved.name})
            return redirect("interpreters:pool")
    return render(
        request,
        "interpreters/interpreter_form.html",
        {"form": form, "instance": instance},
        status=400 if form.errors else 200,
    )
