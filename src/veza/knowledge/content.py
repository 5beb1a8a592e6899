"""The demonstration documents of the library, read from `data/knowledge/demo.yaml` and
checked: known kinds, topics, audiences and languages, and every text complete. Pure: no
database (the demo step writes them through the services)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["DATA", "ContentError", "DemoDocument", "load_demo_documents"]

DATA = Path(__file__).resolve().parent.parent / "data" / "knowledge"
TEXT_FIELDS = ("title", "summary", "body")


class ContentError(ValueError):
    """A data file that does not hold what the library needs."""


@dataclass(frozen=True)
class DemoDocument:
    slug: str
    kind: str
    topic: str
    audience: str
    state: str  # "published" or "draft"
    #: language -> {"title", "summary", "body"}
    texts: dict[str, dict[str, str]]


def parse_demo_documents(data: dict, *, kinds, topics, audiences, languages) -> list[DemoDocument]:
    documents = []
    for item in data.get("documents") or []:
        slug = str(item.get("slug") or "")
        where = f"document {slug or '?'}"
        for name, allowed in (("kind", kinds), ("topic", topics), ("audience", audiences)):
            if item.get(name) not in allowed:
                raise ContentError(f"{where}: unknown {name} {item.get(name)!r}")
        if item.get("state") not in ("published", "draft"):
            raise ContentError(f"{where}: state must be published or draft")
        texts = item.get("texts") or {}
        if not texts:
            raise ContentError(f"{where}: no text")
        for language, text in texts.items():
            if language not in languages:
                raise ContentError(f"{where}: unknown language {language!r}")
            for field in TEXT_FIELDS:
                if not str((text or {}).get(field) or "").strip():
                    raise ContentError(f"{where}: {language} has no {field}")
        documents.append(
            DemoDocument(
                slug=slug,
                kind=item["kind"],
                topic=item["topic"],
                audience=item["audience"],
                state=item["state"],
                texts={
                    lang: {f: str(t[f]).strip() for f in TEXT_FIELDS} for lang, t in texts.items()
                },
            )
        )
    return documents


@functools.cache
def load_demo_documents(path: Path = DATA / "demo.yaml") -> tuple[DemoDocument, ...]:
    from veza.knowledge.choices import Audience, Kind, Topic
    from veza.knowledge.languages import document_languages

    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return tuple(
        parse_demo_documents(
            data,
            kinds=Kind.values,
            topics=Topic.values,
            audiences=Audience.values,
            languages=dict(document_languages()),
        )
    )
