"""Writes of the indicators app: loading shipped content, importing, publishing and adopting."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.indicators import engine
from veza.indicators.choices import ContentStatus
from veza.indicators.content import load_content, load_yaml
from veza.indicators.engine import ContentError
from veza.indicators.models import (
    Adoption,
    DecisionRule,
    Indicator,
    IndicatorSet,
    Questionnaire,
    checksum,
)
from veza.indicators.questionnaire import parse_questionnaire

__all__ = [
    "ContentBundle",
    "content_adopt",
    "content_bundle",
    "content_import",
    "content_publish",
    "content_sync",
    "content_sync_after_migrate",
    "parse_content_file",
    "set_new_version",
    "set_rebuild_from_rows",
]


def _mirror_indicators(indicator_set: IndicatorSet) -> None:
    parsed = indicator_set.parsed
    indicator_set.indicators.all().delete()
    Indicator.objects.bulk_create(
        Indicator(
            indicator_set=indicator_set,
            code=i.id,
            dimension=i.dimension,
            strength=i.strength,
            text=i.text if isinstance(i.text, str) else i.text.get("en", ""),
            provenance=i.provenance,
            order=n,
        )
        for n, i in enumerate(parsed.indicators)
    )


def _store_set(data: dict, *, actor, status, builtin=False, source_file="") -> IndicatorSet:
    parsed = engine.parse_set(data)
    item = IndicatorSet.objects.create(
        code=parsed.id,
        version=parsed.version,
        title=_title(data),
        kind=parsed.kind,
        provenance=parsed.provenance,
        age_groups=list(parsed.age_groups),
        exploitation=list(parsed.exploitation),
        status=status,
        content=data,
        checksum=checksum(data),
        builtin=builtin,
        source_file=source_file,
        created_by=actor if getattr(actor, "pk", None) else None,
        published_at=timezone.now() if status == ContentStatus.PUBLISHED else None,
    )
    _mirror_indicators(item)
    return item


def _check_same(existing, data, label) -> None:
    """The stored version must mean the same as the file; translations added or corrected in the
    file are taken over (they do not change what a screening asked)."""
    from veza.indicators.text import english_only

    if existing.checksum == checksum(data):
        return
    if checksum(english_only(existing.content)) == checksum(english_only(data)):
        existing.content, existing.checksum = data, checksum(data)
        existing.save(update_fields=["content", "checksum"])
        audit_log(
            "content.translations",
            actor="system",
            obj=existing,
            detail={"version": existing.version},
        )
        return
    raise ContentError(
        label,
        [
            f"version {existing.version} is already stored with different content; "
            "give the changed file a new version number"
        ],
    )


@transaction.atomic
def content_sync(directory: Path | str | None = None) -> int:
    """Store the shipped content files that are not yet stored, as published built-in versions."""
    content = load_content(directory or settings.VEZA_CONTENT_DIR)
    created = 0
    for key, data in content.raw.items():
        kind, _colon, code = key.partition(":")
        model = {"set": IndicatorSet, "rule": DecisionRule, "questionnaire": Questionnaire}[kind]
        existing = model.objects.filter(code=code, version=data["version"]).first()
        if existing is not None:
            _check_same(existing, data, f"{kind} {code}")
            continue
        if kind == "set":
            item = _store_set(data, actor=None, status=ContentStatus.PUBLISHED, builtin=True)
        else:
            extra = {}
            if kind == "questionnaire":
                extra = {"sector": data.get("sector") or "", "mode": data["mode"]}
            item = model.objects.create(
                code=code,
                version=data["version"],
                title=_title(data),
                status=ContentStatus.PUBLISHED,
                content=data,
                checksum=checksum(data),
                builtin=True,
                published_at=timezone.now(),
                **extra,
            )
        audit_log(f"{kind}.load", actor="system", obj=item, detail={"version": item.version})
        created += 1
    return created


def content_sync_after_migrate(sender, app_config=None, **kwargs):
    if app_config is not None and app_config.name == "veza.indicators":
        content_sync()


XLSX_COLUMNS = ("id", "dimension", "strength", "text", "provenance", "source", "note", "equivalent")


def _xlsx_to_data(raw: bytes) -> dict:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise ContentError("spreadsheet", ["the file is not a readable XLSX workbook"]) from exc
    names = {n.lower(): n for n in book.sheetnames}
    if "set" not in names or "indicators" not in names:
        raise ContentError("spreadsheet", ["it needs two sheets named 'set' and 'indicators'"])
    meta: dict = {}
    for row in book[names["set"]].iter_rows(values_only=True):
        if row and row[0]:
            meta[str(row[0]).strip()] = row[1]
    rows = list(book[names["indicators"]].iter_rows(values_only=True))
    if not rows:
        raise ContentError("spreadsheet", ["the 'indicators' sheet is empty"])
    header = [str(h or "").strip().lower() for h in rows[0]]
    missing = [c for c in ("id", "dimension", "strength", "text") if c not in header]
    if missing:
        raise ContentError("spreadsheet", [f"the 'indicators' sheet lacks columns {missing}"])
    indicators = []
    for values in rows[1:]:
        if not any(values):
            continue
        row = {
            h: v
            for h, v in zip(header, values, strict=False)
            if h in XLSX_COLUMNS and v not in (None, "")
        }
        if "equivalent" in row:
            row["equivalent"] = [e.strip() for e in str(row["equivalent"]).split(",") if e.strip()]
        indicators.append(row)

    def split(value):
        return [v.strip() for v in str(value or "").split(",") if v.strip()]

    version = meta.get("version")
    return {
        "id": meta.get("id"),
        "version": int(version) if isinstance(version, int | float) else version,
        "title": meta.get("title"),
        "kind": meta.get("kind", "primary"),
        "provenance": meta.get("provenance", "draft"),
        "source": meta.get("source", ""),
        "applies_to": {
            "age_groups": split(meta.get("age_groups")),
            "exploitation": split(meta.get("exploitation")),
        },
        "indicators": indicators,
    }


def parse_content_file(filename: str, raw: bytes) -> tuple[str, dict]:
    """(kind, data) of an uploaded set (YAML or XLSX), rule or questionnaire (YAML).

    ContentError lists every fault of the file at once.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        data = _xlsx_to_data(raw)
    elif name.endswith((".yaml", ".yml")):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContentError(filename, ["the file is not UTF-8 text"]) from exc
        data = load_yaml(filename, text)
    else:
        raise ContentError(filename, ["upload a .yaml or .xlsx file"])
    if not isinstance(data, dict):
        raise ContentError(filename, ["the file does not hold a mapping of fields"])
    if _has_unstorable_character(data):
        # YAML lets a quoted text escape half a character ("\ud800") or a NUL ("\0"): no
        # database stores the first, PostgreSQL not the second.
        raise ContentError(filename, ["a text holds an escaped character that is not valid"])
    try:
        return _parse_content(data)
    except ContentError:  # the parsers' own refusal, naming each fault (a ValueError too)
        raise
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # The parsers name every fault they know; a value of a kind none of them expects (a
        # number where a list of options belongs, …) is refused as a whole, never a crash.
        raise ContentError(
            filename, ["a field holds a value of the wrong kind (a list, text or number)"]
        ) from exc


def _has_unstorable_character(data) -> bool:
    """Whether any text of the parsed file (keys too) holds half a character or a NUL. Iterative,
    each container once: YAML anchors may make a list hold itself."""
    waiting, seen = [data], set()
    while waiting:
        value = waiting.pop()
        if isinstance(value, str):
            if "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value):
                return True
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            waiting.extend([*value.keys(), *value.values()] if isinstance(value, dict) else value)
    return False


def _parse_content(data: dict) -> tuple[str, dict]:
    if "positivity" in data:
        engine.parse_rule(data)
        return "rule", data
    if "sections" in data:
        known = {
            i.id
            for s in IndicatorSet.objects.published().filter(kind="primary")
            for i in s.parsed.indicators
        }
        flags = {f for r in DecisionRule.objects.published() for f in r.parsed.urgent_flags}
        parse_questionnaire(data, known_indicators=known, urgent_flags=flags)
        return "questionnaire", data
    engine.parse_set(data)
    return "set", data


MODELS = {"set": IndicatorSet, "rule": DecisionRule, "questionnaire": Questionnaire}


def _title(data: dict) -> str:
    title = data.get("title")
    if isinstance(title, dict):
        title = title.get("en") or next(iter(title.values()), "")
    return str(title or data["id"])[:200]


@transaction.atomic
def content_import(*, actor, filename: str, raw: bytes):
    """A new proposed version from a file. Nothing is stored unless the whole file is valid."""
    try:
        kind, data = parse_content_file(filename, raw)
    except ContentError as exc:
        raise ValidationError(fields={"file": exc.problems}) from exc
    model = MODELS[kind]
    if model.objects.filter(code=data["id"], version=data["version"]).exists():
        raise ValidationError(
            fields={"file": [f"{data['id']} version {data['version']} exists already"]}
        )
    if kind == "set":
        item = _store_set(
            data, actor=actor, status=ContentStatus.PROPOSED, source_file=filename[:200]
        )
    else:
        extra = (
            {"sector": data.get("sector") or "", "mode": data["mode"]}
            if kind == "questionnaire"
            else {}
        )
        item = model.objects.create(
            code=data["id"],
            version=data["version"],
            title=_title(data),
            status=ContentStatus.PROPOSED,
            content=data,
            checksum=checksum(data),
            source_file=filename[:200],
            created_by=actor if getattr(actor, "pk", None) else None,
            **extra,
        )
    audit_log(f"{kind}.import", actor=actor, obj=item, detail={"file": filename[:200]})
    return item


@transaction.atomic
def set_new_version(*, actor, indicator_set: IndicatorSet) -> IndicatorSet:
    """A proposed copy of a set under the next free version number, to edit and publish."""
    top = IndicatorSet.objects.filter(code=indicator_set.code).aggregate(m=Max("version"))["m"]
    data = dict(indicator_set.content, version=top + 1)
    item = _store_set(data, actor=actor, status=ContentStatus.PROPOSED)
    audit_log("set.new_version", actor=actor, obj=item, detail={"from": indicator_set.version})
    return item


@transaction.atomic
def set_rebuild_from_rows(*, actor, indicator_set: IndicatorSet) -> IndicatorSet:
    """After edits of a proposed set's indicator rows: rebuild and re-validate its content."""
    if indicator_set.status != ContentStatus.PROPOSED:
        raise ValidationError("Published versions cannot change; make a new version.")
    rows = list(indicator_set.indicators.order_by("order", "pk"))
    previous = {i.id: i for i in engine.parse_set(indicator_set.content).indicators}
    data = dict(indicator_set.content)
    data["indicators"] = []
    for row in rows:
        entry = {
            "id": row.code,
            "dimension": row.dimension,
            "strength": row.strength,
            "text": row.text,
            "provenance": row.provenance,
        }
        if row.code in previous and previous[row.code].equivalent:
            entry["equivalent"] = list(previous[row.code].equivalent)
        data["indicators"].append(entry)
    try:
        engine.parse_set(data)
    except ContentError as exc:
        raise ValidationError(fields={"indicators": exc.problems}) from exc
    indicator_set.content = data
    indicator_set.checksum = checksum(data)
    indicator_set.__dict__.pop("parsed", None)
    indicator_set.save(update_fields=["content", "checksum"])
    audit_log("set.edit", actor=actor, obj=indicator_set, detail={"indicators": len(rows)})
    return indicator_set


@transaction.atomic
def content_publish(*, actor, item) -> None:
    if item.status != ContentStatus.PROPOSED:
        raise ValidationError("Only a proposed version can be published.")
    item.status = ContentStatus.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_at"])
    audit_log(f"{item._meta.model_name}.publish", actor=actor, obj=item)


@transaction.atomic
def content_adopt(*, actor, item, participant, note: str = "") -> Adoption:
    """From now on the participant's screenings use this version. Earlier screenings keep theirs."""
    if item.status != ContentStatus.PUBLISHED:
        raise ValidationError("Publish this version before adopting it.")
    field = {IndicatorSet: "indicator_set", DecisionRule: "rule", Questionnaire: "questionnaire"}[
        type(item)
    ]
    adoption = Adoption.objects.create(
        participant=participant,
        adopted_by=actor if getattr(actor, "pk", None) else None,
        note=note,
        **{field: item},
    )
    audit_log(
        f"{item._meta.model_name}.adopt",
        actor=actor,
        obj=item,
        detail={"participant": participant.code, "version": item.version},
    )
    return adoption


@dataclass
class ContentBundle:
    """What a participant screens with now: a version of each set, the rule, questionnaires."""

    sets: dict[str, IndicatorSet]
    rule: DecisionRule
    questionnaires: dict[str, Questionnaire]

    def primary_sets_for(self, age_group: str, kinds) -> list[IndicatorSet]:
        return [
            s
            for s in self.sets.values()
            if s.kind == "primary"
            and age_group in s.age_groups
            and any(k in s.exploitation for k in kinds)
        ]

    def supplementary_sets(self) -> list[IndicatorSet]:
        return [s for s in self.sets.values() if s.kind == "supplementary"]

    def known_indicators(self) -> frozenset[str]:
        key = ("known", *sorted(s.checksum for s in self.sets.values()))
        if key not in _PARSED:
            _PARSED[key] = frozenset(
                i.id for s in self.sets.values() if s.kind == "primary" for i in s.parsed.indicators
            )
        return _PARSED[key]

    def parse_questionnaire(self, questionnaire: Questionnaire):
        """The questionnaire checked against this bundle's indicators and urgent flags."""
        key = (
            "questionnaire",
            questionnaire.checksum,
            self.rule.checksum,
            *sorted(s.checksum for s in self.sets.values()),
        )
        if key not in _PARSED:
            _PARSED[key] = questionnaire.parse(
                known_indicators=self.known_indicators(),
                urgent_flags=self.rule.parsed.urgent_flags,
            )
        return _PARSED[key]


# Published content never changes, so what was read and parsed once is kept for the process,
# keyed by checksum (a row id alone could be reused after a rollback).
_CONTENT: dict[tuple, object] = {}
_PARSED: dict[tuple, object] = {}


def _instances(model, keys: list[tuple[int, str]]) -> dict[int, object]:
    missing = [pk for pk, digest in keys if (model.__name__, pk, digest) not in _CONTENT]
    if missing:
        for item in model.objects.filter(pk__in=missing, status=ContentStatus.PUBLISHED):
            _CONTENT[(model.__name__, item.pk, item.checksum)] = item
    return {
        pk: _CONTENT[(model.__name__, pk, digest)]
        for pk, digest in keys
        if (model.__name__, pk, digest) in _CONTENT
    }


def _current(model, participant, field: str):
    """Each code's latest adoption by the participant, else the newest built-in version."""
    chosen: dict[str, tuple[int, str]] = {}
    adoptions = (
        Adoption.objects.filter(participant=participant, **{f"{field}__isnull": False})
        .order_by("adopted_at", "id")
        .values_list(f"{field}__code", field, f"{field}__checksum")
    )
    for code, pk, digest in adoptions:
        chosen[code] = (pk, digest)
    defaults = (
        model.objects.published()
        .filter(builtin=True)
        .order_by("code", "-version")
        .values_list("code", "pk", "checksum")
    )
    for code, pk, digest in defaults:
        chosen.setdefault(code, (pk, digest))
    items = _instances(model, list(chosen.values()))
    return {code: items[pk] for code, (pk, _d) in chosen.items() if pk in items}


# The bundles built, by participant, rule and content stamp: a screening page asks for its
# participant's bundle on every request, and building it takes six queries.
_BUNDLES: dict[tuple, ContentBundle] = {}


def _content_stamp(participant) -> tuple:
    """What a participant's bundle depends on, read in one query: its adoptions (only ever added)
    and the published versions (only ever published, never changed). Equal stamps mean equal
    bundles, also across processes and after a rolled-back transaction (the times differ)."""
    # Only quoted table names of Veza's own models are formatted in; every value is a parameter.
    quote = connection.ops.quote_name
    parts = [
        f"SELECT 0, COUNT(*), MAX(id), MAX(adopted_at) FROM {quote(Adoption._meta.db_table)} "  # noqa: S608
        "WHERE participant_id = %s"
    ]
    params: list = [getattr(participant, "pk", None)]  # none: the shipped defaults alone
    for number, model in enumerate((IndicatorSet, DecisionRule, Questionnaire), start=1):
        parts.append(
            f"SELECT {number}, COUNT(*), MAX(id), MAX(published_at) "  # noqa: S608
            f"FROM {quote(model._meta.db_table)} WHERE status = %s"
        )
        params.append(ContentStatus.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return tuple(sorted(tuple(map(str, row)) for row in cursor.fetchall()))


def content_bundle(participant, *, rule_code: str = "veza-default") -> ContentBundle:
    key = (getattr(participant, "pk", None), rule_code, _content_stamp(participant))
    bundle = _BUNDLES.get(key)
    if bundle is None:
        if len(_BUNDLES) > 256:  # stamps of the past: start again rather than grow
            _BUNDLES.clear()
        bundle = _BUNDLES[key] = _content_bundle(participant, rule_code=rule_code)
    return bundle


def _content_bundle(participant, *, rule_code: str) -> ContentBundle:
    rules = _current(DecisionRule, participant, "rule")
    rule = rules.get(rule_code) or next(iter(rules.values()), None)
    if rule is None:
        raise ValidationError("No decision rule is published: run `veza migrate`.")
    return ContentBundle(
        sets=_current(IndicatorSet, participant, "indicator_set"),
        rule=rule,
        questionnaires=_current(Questionnaire, participant, "questionnaire"),
    )
