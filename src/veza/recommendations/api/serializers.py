"""Serializers of the recommendations API. Reads show codes (participant, body, theme, status);
writes are plain serializers whose data goes to the services, which validate and decide."""

from __future__ import annotations

from rest_framework import serializers

from veza.core.uploads import upload_problem
from veza.recommendations.choices import Body, LinkKind, Priority, ProgressStatus, Theme, Wording
from veza.recommendations.importer import MAX_BYTES
from veza.recommendations.models import (
    Measure,
    Objective,
    ProgressReport,
    Recommendation,
    Source,
    Strategy,
)
from veza.recommendations.services import MEASURE_FIELDS

__all__ = [
    "CoverageSerializer",
    "ImportResultSerializer",
    "ImportUploadSerializer",
    "LinkSerializer",
    "MeasureSerializer",
    "MeasureWriteSerializer",
    "ObjectiveSerializer",
    "ProgressReportSerializer",
    "RecommendationSerializer",
    "RecommendationWriteSerializer",
    "SourceSerializer",
    "StrategySerializer",
    "StrategyWriteSerializer",
]


class SourceSerializer(serializers.ModelSerializer):
    body = serializers.ChoiceField(choices=Body.choices)
    version = serializers.IntegerField(
        required=False, help_text="The version read (required on update)."
    )

    class Meta:
        model = Source
        fields = ["id", "body", "title", "round_or_year", "published", "url", "is_demo", "version"]
        read_only_fields = ["id", "is_demo"]
        # Uniqueness is the service's to check (one error shape for pages and API).
        validators = []


class RecommendationSerializer(serializers.ModelSerializer):
    participant = serializers.CharField(source="participant.code", read_only=True)
    label = serializers.CharField(read_only=True)
    key = serializers.CharField(read_only=True)
    answered = serializers.SerializerMethodField()
    repeats = serializers.SerializerMethodField()
    measures = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "participant",
            "source",
            "reference",
            "label",
            "key",
            "year",
            "text",
            "wording",
            "theme",
            "topics",
            "priority",
            "is_demo",
            "answered",
            "repeats",
            "measures",
            "version",
        ]
        read_only_fields = fields

    def get_answered(self, obj) -> bool:
        return obj.pk in self.context.get("answered", set())

    def get_repeats(self, obj) -> list[int]:
        """The earlier recommendations this one repeats."""
        return [link.earlier_id for link in obj.links_out.all() if link.kind == LinkKind.REPEATS]


class RecommendationWriteSerializer(serializers.Serializer):
    participant = serializers.CharField(
        max_length=4, required=False, help_text="Participant code (on create)."
    )
    source = serializers.IntegerField()
    reference = serializers.CharField(max_length=40)
    year = serializers.IntegerField()
    text = serializers.CharField(max_length=4000)
    theme = serializers.ChoiceField(choices=Theme.choices)
    topics = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default="other")
    wording = serializers.ChoiceField(choices=Wording.choices, required=False, default="own_words")
    version = serializers.IntegerField(
        required=False, help_text="The version read (required on update)."
    )


class LinkSerializer(serializers.Serializer):
    other = serializers.IntegerField(help_text="The recommendation this one repeats.")
    kind = serializers.ChoiceField(choices=LinkKind.choices, required=False, default="repeats")


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, laid out as the template.")
    participant = serializers.CharField(
        max_length=4, required=False, help_text="Fills empty participant cells; refuses others."
    )

    def validate_file(self, value):
        problem = upload_problem(value, kinds=("csv", "xlsx"), max_mb=MAX_BYTES // (1024 * 1024))
        if problem:
            raise serializers.ValidationError(problem)
        return value


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    sources_created = serializers.IntegerField()
    links_created = serializers.IntegerField()
    participants = serializers.ListField(child=serializers.CharField())
    ids = serializers.ListField(child=serializers.IntegerField())


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    problem = serializers.CharField()


class ImportErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    rows = ImportProblemSerializer(many=True, required=False)


class ObjectiveSerializer(serializers.ModelSerializer):
    theme = serializers.ChoiceField(choices=Theme.choices)

    class Meta:
        model = Objective
        fields = ["id", "theme", "text", "order"]
        read_only_fields = ["id", "order"]


class StrategySerializer(serializers.ModelSerializer):
    participant = serializers.CharField(source="participant.code", read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = Strategy
        fields = [
            "id",
            "participant",
            "title",
            "period_start",
            "period_end",
            "context",
            "is_demo",
            "objectives",
            "version",
        ]
        read_only_fields = fields


class StrategyWriteSerializer(serializers.Serializer):
    participant = serializers.CharField(max_length=4, required=False)
    title = serializers.CharField(max_length=300)
    period_start = serializers.IntegerField()
    period_end = serializers.IntegerField()
    context = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class MeasureSerializer(serializers.ModelSerializer):
    strategy = serializers.IntegerField(source="objective.strategy_id", read_only=True)
    theme = serializers.CharField(source="objective.theme", read_only=True)
    recommendations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    status = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "strategy",
            "objective",
            "theme",
            *MEASURE_FIELDS,
            "recommendations",
            "status",
            "overdue",
            "is_demo",
            "version",
        ]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        """The current status (latest progress report); empty without a report."""
        report = self.context.get("latest", {}).get(obj.pk)
        return report.status if report else ""

    def get_overdue(self, obj) -> bool:
        return obj.pk in self.context.get("overdue", set())


class MeasureWriteSerializer(serializers.Serializer):
    objective = serializers.IntegerField()
    title = serializers.CharField(max_length=300)
    responsible = serializers.CharField(max_length=200)
    partners = serializers.CharField(max_length=300, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    currency = serializers.CharField(max_length=3, required=False, default="EUR")
    funding_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    output_indicator = serializers.CharField(max_length=300, required=False, allow_blank=True)
    outcome_indicator = serializers.CharField(max_length=300, required=False, allow_blank=True)
    baseline = serializers.CharField(max_length=100, required=False, allow_blank=True)
    target = serializers.CharField(max_length=100, required=False, allow_blank=True)
    recommendations = serializers.ListField(
        # Ids beyond the database's integer would overflow the `IN (...)` lookup.
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        help_text="Recommendations it answers.",
    )
    version = serializers.IntegerField(required=False)


class ProgressReportSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ProgressStatus.choices)
    author = serializers.CharField(source="author.username", read_only=True, default="")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "measure",
            "period",
            "period_end",
            "status",
            "evidence",
            "indicator_value",
            "author",
            "created_at",
        ]
        read_only_fields = ["id", "author", "created_at"]


class ThemeCountSerializer(serializers.Serializer):
    theme = serializers.ChoiceField(choices=Theme.choices)
    total = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    gaps = serializers.IntegerField()


class ComparisonSerializer(serializers.Serializer):
    participant = serializers.CharField()
    total = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    gaps = serializers.IntegerField()
    overdue = serializers.IntegerField()
    themes = ThemeCountSerializer(many=True)


class ChainSerializer(serializers.Serializer):
    participant = serializers.CharField()
    themes = serializers.ListField(child=serializers.CharField())
    years = serializers.ListField(child=serializers.IntegerField())
    recommendations = serializers.ListField(child=serializers.IntegerField())
    labels = serializers.ListField(child=serializers.CharField())


class OverdueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    participant = serializers.CharField()
    deadline = serializers.DateField()
    status = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    participants = serializers.ListField(child=serializers.CharField())
    unanswered = serializers.ListField(child=serializers.IntegerField())
    persistent_gaps = ChainSerializer(many=True)
    repeated = ChainSerializer(many=True)
    overdue_measures = OverdueSerializer(many=True)
    comparison = ComparisonSerializer(many=True)
