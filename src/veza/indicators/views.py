"""Pages for indicator content: what is in use, versions, import, review, publish, adopt."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veza.core.errors import NotFoundError, ValidationError
from veza.core.scoping import access_by_id, require_perm
from veza.indicators.choices import Dimension, Element, Strength
from veza.indicators.engine import ContentError
from veza.indicators.forms import AdoptForm, ImportForm
from veza.indicators.models import DecisionRule, IndicatorSet, Questionnaire
from veza.indicators.services import (
    content_adopt,
    content_bundle,
    content_import,
    content_publish,
    set_new_version,
)
from veza.indicators.text import localized
from veza.organisations.models import Participant
from veza.organisations.scope import user_scope

__all__ = [
    "content_adopt_view",
    "content_publish_view",
    "questionnaire_detail",
    "rule_detail",
    "set_detail",
    "set_import_view",
    "set_list",
    "set_new_version_view",
]

VIEW = "indicators.view_indicatorset"
ADOPT = "indicators.adopt_content"


def _home_participant(user):
    ids = user_scope(user).participant_ids
    return Participant.objects.filter(pk__in=ids).order_by("code").first()


def _adoptable_participants(user):
    scope = user_scope(user)
    if scope.sees_all_participants:
        return list(Participant.objects.order_by("code"))
    ids = scope.participants_with(ADOPT)
    return list(Participant.objects.filter(pk__in=ids).order_by("code"))


def _in_use(user):
    participant = _home_participant(user)
    if participant is None:
        return None, None
    return participant, content_bundle(participant)


@require_GET
def set_list(request):
    require_perm(request.user, VIEW)
    participant, bundle = _in_use(request.user)
    in_use = set()
    if bundle is not None:
        in_use = {s.pk for s in bundle.sets.values()} | {
            q.pk for q in bundle.questionnaires.values()
        }
        in_use.add(bundle.rule.pk)
    language = get_language()
    sets = IndicatorSet.objects.visible_to(request.user).order_by("kind", "code", "-version")
    questionnaires = Questionnaire.objects.visible_to(request.user).order_by(
        "mode", "code", "-version"
    )
    return render(
        request,
        "indicators/set_list.html",
        {
            "participant": participant,
            "sets": sets,
            "rules": DecisionRule.objects.visible_to(request.user),
            "questionnaires": [
                (q, localized(q.content.get("title"), language)) for q in questionnaires
            ],
            "in_use": in_use,
            "can_adopt": request.user.has_perm(ADOPT),
        },
    )


def _diff(current: IndicatorSet | None, other: IndicatorSet) -> list[dict]:
    """What changes from the version in use to this one, indicator by indicator."""
    if current is None or current.pk == other.pk:
        return []
    before = {i.id: i for i in current.parsed.indicators}
    after = {i.id: i for i in other.parsed.indicators}
    rows = []
    for ident in sorted(set(before) | set(after)):
        old, new = before.get(ident), after.get(ident)
        if old is None:
            rows.append(
                {"id": ident, "change": _("added"), "detail": f"{new.dimension}, {new.strength}"}
            )
        elif new is None:
            rows.append({"id": ident, "change": _("removed"), "detail": ""})
        elif (old.dimension, old.strength, old.text) != (new.dimension, new.strength, new.text):
            detail = []
            if old.strength != new.strength:
                detail.append(f"{old.strength} → {new.strength}")
            if old.dimension != new.dimension:
                detail.append(f"{old.dimension} → {new.dimension}")
            if old.text != new.text:
                detail.append(_("text changed"))
            rows.append({"id": ident, "change": _("changed"), "detail": "; ".join(detail)})
    return rows


@require_GET
def set_detail(request, pk: int):
    indicator_set = access_by_id(IndicatorSet, request.user, pk, perm=VIEW)
    participant, bundle = _in_use(request.user)
    current = bundle.sets.get(indicator_set.code) if bundle else None
    language = get_language()
    groups = []
    for dimension in Dimension:
        items = [
            {
                "id": i.id,
                "text": localized(i.text, language),
                "strength": Strength(i.strength).label,
                "strength_code": i.strength,
                "draft": i.provenance == "draft" or indicator_set.provenance == "draft",
                "note": i.note,
            }
            for i in indicator_set.parsed.indicators
            if i.dimension == dimension.value
        ]
        if items:
            groups.append({"label": dimension.label, "items": items})
    return render(
        request,
        "indicators/set_detail.html",
        {
            "set": indicator_set,
            "groups": groups,
            "participant": participant,
            "current": current,
            "diff": _diff(current, indicator_set),
            "can_adopt": request.user.has_perm(ADOPT),
            "adopt_form": AdoptForm(participants=_adoptable_participants(request.user)),
        },
    )


@require_http_methods(["GET", "POST"])
def set_import_view(request):
    require_perm(request.user, ADOPT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            item = content_import(actor=request.user, filename=upload.name, raw=upload.read())
        except ValidationError as exc:
            for problem in exc.fields.get("file", [str(exc.message)]):
                form.add_error("file", problem)
        else:
            messages.success(
                request, _("Imported as a proposed version. Review it, then publish and adopt it.")
            )
            return redirect(_detail_url(item))
    return render(
        request, "indicators/set_import.html", {"form": form}, status=400 if form.errors else 200
    )


MODELS = {"set": IndicatorSet, "rule": DecisionRule, "questionnaire": Questionnaire}
DETAIL = {
    IndicatorSet: "set-detail",
    DecisionRule: "rule-detail",
    Questionnaire: "questionnaire-detail",
}


def _detail_url(item) -> str:
    from django.urls import reverse

    return reverse(f"indicators:{DETAIL[type(item)]}", kwargs={"pk": item.pk})


@require_POST
def content_publish_view(request, pk: int, kind: str):
    item = access_by_id(MODELS[kind], request.user, pk, perm=ADOPT)
    try:
        content_publish(actor=request.user, item=item)
        messages.success(request, _("Published."))
    except ValidationError as exc:
        messages.error(request, exc.message)
    return redirect(_detail_url(item))


@require_POST
def content_adopt_view(request, pk: int, kind: str):
    item = access_by_id(MODELS[kind], request.user, pk, perm=ADOPT)
    participants = _adoptable_participants(request.user)
    form = AdoptForm(request.POST, participants=participants)
    if not form.is_valid():
        messages.error(request, _("Choose a participant you may adopt content for."))
        return redirect(_detail_url(item))
    participant = next(p for p in participants if p.code == form.cleaned_data["participant"])
    try:
        content_adopt(
            actor=request.user, item=item, participant=participant, note=form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("From now on, screenings in %(p)s use this version. Earlier screenings keep theirs.")
            % {"p": participant.name},
        )
    except ValidationError as exc:
        messages.error(request, exc.message)
    return redirect(_detail_url(item))


@require_POST
def set_new_version_view(request, pk: int):
    item = access_by_id(IndicatorSet, request.user, pk, perm=ADOPT)
    copy = set_new_version(actor=request.user, indicator_set=item)
    messages.success(
        request,
        _("A new proposed version was made. Edit its indicators in the administration site."),
    )
    return redirect("indicators:set-detail", pk=copy.pk)


@require_GET
def questionnaire_detail(request, pk: int):
    item = access_by_id(Questionnaire, request.user, pk, perm=VIEW)
    _participant, bundle = _in_use(request.user)
    if bundle is None:
        raise NotFoundError()
    try:
        parsed = item.parse(
            known_indicators=bundle.known_indicators(), urgent_flags=bundle.rule.parsed.urgent_flags
        )
    except ContentError as exc:
        messages.error(request, str(exc))
        return redirect("indicators:set-list")
    language = get_language()
    texts = {}
    for s in bundle.sets.values():
        for i in s.parsed.indicators:
            texts.setdefault(i.id, localized(i.text, language))
    sections = []
    for section in parsed.sections:
        questions = []
        for q in section.questions:
            mapped = list(q.indicators) + [i for o in q.options for i in o.indicators]
            questions.append(
                {
                    "text": localized(q.text, language),
                    "help": localized(q.help, language),
                    "type": q.type,
                    "urgent": q.urgent,
                    "options": [
                        (localized(o.text, language), [texts.get(i, i) for i in o.indicators])
                        for o in q.options
                    ],
                    "indicators": [texts.get(i, i) for i in q.indicators],
                    "conditional": bool(q.show_if),
                    "mapped": bool(mapped),
                }
            )
        sections.append({"title": localized(section.title, language), "questions": questions})
    return render(
        request,
        "indicators/questionnaire_detail.html",
        {
            **_adoption_context(request, item, bundle.questionnaires.get(item.code)),
            "item": item,
            "title": localized(parsed.title, language),
            "intro": localized(parsed.intro, language),
            "guidance": localized(parsed.guidance, language),
            "sections": sections,
        },
    )


def _adoption_context(request, item, current) -> dict:
    kind = {IndicatorSet: "set", DecisionRule: "rule", Questionnaire: "questionnaire"}[type(item)]
    return {
        "kind": kind,
        "in_use": current is not None and current.pk == item.pk,
        "can_adopt": request.user.has_perm(ADOPT),
        "adopt_form": AdoptForm(participants=_adoptable_participants(request.user)),
    }


@require_GET
def rule_detail(request, pk: int):
    item = access_by_id(DecisionRule, request.user, pk, perm="indicators.view_decisionrule")
    _participant, bundle = _in_use(request.user)
    try:
        rule = item.parsed
    except ContentError as exc:
        messages.error(request, str(exc))
        return redirect("indicators:set-list")
    import yaml

    return render(
        request,
        "indicators/rule_detail.html",
        {
            **_adoption_context(request, item, bundle.rule if bundle else None),
            "item": item,
            "rule": rule,
            "clauses": [
                " + ".join(
                    f"{n} {'/'.join(str(Strength(x).label) for x in strengths)}"
                    for strengths, n in clause
                )
                for clause in rule.positivity
            ],
            "elements": [
                (Element(name).label, [Dimension(d).label for d in dims])
                for name, dims in rule.elements.items()
                if name in Element.values
            ],
            "yaml": yaml.safe_dump(item.content, allow_unicode=True, sort_keys=False),
        },
    )


def translations_panel(request, _obj) -> list[str]:
    """For the translation status page: how much of each questionnaire and indicator list in use
    is translated into each interface language (from the stored, published content)."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from veza.indicators.models import IndicatorSet, Questionnaire
    from veza.indicators.text import CONTENT_LANGUAGES, translation_counts

    languages = [code for code, _name in settings.LANGUAGES if code in CONTENT_LANGUAGES]
    rows = []
    for model in (Questionnaire, IndicatorSet):
        latest = {}
        for item in model.objects.filter(status="published").order_by("code", "version"):
            latest[item.code] = item
        for item in latest.values():
            counts = translation_counts(item.content)
            total = counts["en"] or 1
            rows.append(
                {
                    "title": localized(item.content.get("title")),
                    "version": item.version,
                    "texts": counts["en"],
                    "percent": [100 * counts[code] // total for code in languages[1:]],
                }
            )
    return [
        render_to_string(
            "indicators/_translations.html",
            {"rows": rows, "languages": languages[1:]},
            request=request,
        )
    ]
