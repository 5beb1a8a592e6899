"""The interpreter pool through the API, scoped like the pages: the pool's members, requests with
their ranked suggestions, asking an interpreter, cancelling."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from veza.core.api.auditing import AuditedReadsMixin
from veza.core.api.permissions import perm_required
from veza.core.errors import NotFoundError
from veza.core.scoping import visible_or_404
from veza.interpreters.models import (
    Availability,
    Booking,
    Interpreter,
    InterpreterRequest,
    Setting,
)
from veza.interpreters.selectors import suggest, visible_requests
from veza.interpreters.services import (
    FIELDS,
    booking_propose,
    interpreter_save,
    request_cancel,
    request_create,
)
from veza.organisations.models import Organisation
from veza.organisations.scope import user_scope

__all__ = [
    "AvailabilityViewSet",
    "BookingViewSet",
    "InterpreterRequestViewSet",
    "InterpreterViewSet",
]

REQUEST = "interpreters.add_interpreterrequest"
COORDINATE = "interpreters.coordinate_pool"


class InterpreterSerializer(serializers.ModelSerializer):
    participant = serializers.CharField(source="participant.code", read_only=True)
    languages = serializers.SerializerMethodField()

    class Meta:
        model = Interpreter
        fields = [
            "id",
            "name",
            "participant",
            "area",
            "gender",
            "remote",
            "on_site",
            "languages",
            "target_languages",
            "vetting",
            "vetted_until",
        ]
        read_only_fields = fields

    def get_languages(self, obj) -> list[dict]:
        return [{"language": s.language, "proficiency": s.proficiency} for s in obj.skills.all()]


class SkillSerializer(serializers.Serializer):
    language = serializers.CharField(min_length=3, max_length=3)
    proficiency = serializers.IntegerField(min_value=1, max_value=5)
    dialects = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list
    )


class InterpreterRegistrySerializer(serializers.ModelSerializer):
    """The whole registry entry, for the pool's coordinator (vetting, conflicts and rates are
    not shown to the professionals who book)."""

    participant = serializers.CharField(
        source="participant.code",
        required=False,
        help_text="For a new interpreter: the participant's code, when you coordinate several.",
    )
    skills = SkillSerializer(many=True)
    # Lists of texts, not any JSON: the model's JSON fields take what they are given.
    target_languages = serializers.ListField(
        child=serializers.CharField(min_length=3, max_length=3), required=False
    )
    conflicts = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, allow_empty=True
    )

    class Meta:
        model = Interpreter
        fields = ["id", "participant", "skills", *FIELDS, "version"]
        read_only_fields = ["id", "version"]

    def validate_organisation(self, value):
        participant = self.context.get("participant")
        if value is not None and participant is not None and value.participant_id != participant.pk:
            raise serializers.ValidationError(_("An interpreter service of the same participant."))
        return value


class InterpreterViewSet(viewsets.ModelViewSet):
    """The joint pool's members (professionals; never the people they interpret for). The pool's
    coordinator adds and changes its own participant's interpreters and sees their whole entry."""

    queryset = Interpreter.objects.none()
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "update", "partial_update"):
            return [perm_required(COORDINATE)()]
        return [perm_required("interpreters.view_interpreter")()]

    def _coordinated(self):
        return user_scope(self.request.user).participants_with(COORDINATE)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return InterpreterRegistrySerializer
        return InterpreterSerializer

    def get_queryset(self):
        if self.action in ("update", "partial_update"):
            return Interpreter.objects.filter(participant_id__in=self._coordinated())
        return (
            Interpreter.objects.visible_to(self.request.user)
            .filter(is_active=True)
            .select_related("participant")
            .prefetch_related("skills")
            .order_by("name")
        )

    def get_object(self):
        return visible_or_404(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="InterpreterEntry",
            serializers=[InterpreterSerializer, InterpreterRegistrySerializer],
            resource_type_field_name=None,
        )
    )
    def retrieve(self, request, *args, **kwargs):
        """The whole registry entry for the pool's coordinator; otherwise the bookable facts."""
        item = self.get_object()
        if item.participant_id in self._coordinated():
            return Response(InterpreterRegistrySerializer(item).data)
        return Response(InterpreterSerializer(item).data)

    def _save(self, request, instance, *, partial=False):
        from veza.organisations.models import Participant

        coordinated = Participant.objects.filter(pk__in=self._coordinated()).order_by("code")
        code = str(request.data.get("participant") or "") if hasattr(request.data, "get") else ""
        if instance is not None:
            participant = instance.participant
        elif code:
            participant = coordinated.filter(code=code).first()
            if participant is None:
                raise NotFoundError()
        else:
            participant = coordinated.first()
        data = InterpreterRegistrySerializer(
            instance, data=request.data, partial=partial, context={"participant": participant}
        )
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("participant", None)  # chosen above; an interpreter never changes participant
        if instance is not None:  # a partial change keeps what it does not name
            values = {**{f: getattr(instance, f) for f in FIELDS}, **values}
        skills = values.pop("skills", None)
        if skills is None:
            skills = [(s.language, s.proficiency, s.dialects) for s in instance.skills.all()]
        else:
            # A partial change does not make a skill's own fields optional: a missing language or
            # level reaches the service as an empty one, which it refuses with its message.
            skills = [
                (s.get("language", ""), s.get("proficiency", 0), s.get("dialects") or [])
                for s in skills
            ]
        saved = interpreter_save(
            actor=request.user,
            participant=participant,
            interpreter=instance,
            skills=skills,
            **values,
        )
        return InterpreterRegistrySerializer(saved).data

    @extend_schema(
        request=InterpreterRegistrySerializer, responses={201: InterpreterRegistrySerializer}
    )
    def create(self, request, *args, **kwargs):
        return Response(self._save(request, None), status=status.HTTP_201_CREATED)

    @extend_schema(request=InterpreterRegistrySerializer, responses=InterpreterRegistrySerializer)
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        return Response(self._save(request, self.get_object(), partial=partial))


class AvailabilityEntrySerializer(serializers.ModelSerializer):
    interpreter = serializers.PrimaryKeyRelatedField(
        queryset=Interpreter.objects.all(), required=False
    )

    class Meta:
        model = Availability
        fields = ["id", "interpreter", "start", "end"]
        read_only_fields = ["id"]


class AvailabilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """When interpreters are available: an interpreter keeps their own calendar (no interpreter
    given), the coordinator those of the pool."""

    serializer_class = AvailabilityEntrySerializer
    queryset = Availability.objects.none()

    def get_permissions(self):
        from veza.interpreters.api.permissions import PoolMember

        return [PoolMember()]

    def get_queryset(self):
        from django.db.models import Q

        user = self.request.user
        coordinated = user_scope(user).participants_with(COORDINATE)
        return (
            Availability.objects.filter(
                Q(interpreter__user=user) | Q(interpreter__participant_id__in=coordinated)
            )
            .filter(end__gte=timezone.now() - timedelta(days=1))
            .order_by("start")
        )

    def get_object(self):
        return visible_or_404(self.get_queryset(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        from veza.interpreters.services import availability_add

        data = AvailabilityEntrySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interpreter = data.validated_data.get("interpreter") or getattr(
            request.user, "interpreter", None
        )
        coordinated = user_scope(request.user).participants_with(COORDINATE)
        if interpreter is None or not (
            interpreter.user_id == request.user.pk or interpreter.participant_id in coordinated
        ):
            raise NotFoundError()
        slot = availability_add(
            actor=request.user,
            interpreter=interpreter,
            start=data.validated_data["start"],
            end=data.validated_data["end"],
        )
        return Response(AvailabilityEntrySerializer(slot).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        from veza.interpreters.services import availability_remove

        availability_remove(actor=request.user, slot=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "interpreter", "start", "end", "status", "rank", "reasons", "version"]
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    bookings = BookingSerializer(many=True, read_only=True)

    class Meta:
        model = InterpreterRequest
        fields = [
            "id",
            "organisation",
            "reference",
            "languages",
            "dialect",
            "target_language",
            "start",
            "end",
            "remote",
            "place",
            "urgent",
            "gender_required",
            "gender_preferred",
            "setting",
            "avoid",
            "status",
            "bookings",
            "version",
        ]
        read_only_fields = fields


class RequestCreateSerializer(serializers.Serializer):
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    languages = serializers.ListField(child=serializers.CharField(max_length=3), min_length=1)
    dialect = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    target_language = serializers.CharField(max_length=3)
    start = serializers.DateTimeField()
    hours = serializers.FloatField(min_value=0.25, max_value=12)
    remote = serializers.BooleanField(required=False, default=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    urgent = serializers.BooleanField(required=False, default=False)
    gender_required = serializers.CharField(required=False, allow_blank=True, default="")
    gender_preferred = serializers.CharField(required=False, allow_blank=True, default="")
    setting = serializers.ChoiceField(choices=Setting.choices)
    avoid = serializers.ListField(child=serializers.CharField(max_length=60), required=False)


class SuggestionSerializer(serializers.Serializer):
    interpreter = InterpreterSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.DictField())


class BookSerializer(serializers.Serializer):
    interpreter = serializers.IntegerField()


class InterpreterRequestViewSet(
    AuditedReadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests of your organisation(s) (and, for the pool's coordinator, of the participant)."""

    audit_prefix = "interpreter_request"

    serializer_class = RequestSerializer
    queryset = InterpreterRequest.objects.none()

    def get_permissions(self):
        needed = (
            REQUEST
            if self.action in ("create", "book", "cancel")
            else ("interpreters.view_interpreterrequest")
        )
        return [perm_required(needed)()]

    def get_queryset(self):
        return visible_requests(self.request.user).prefetch_related("bookings").order_by("-start")

    def get_object(self):
        return visible_or_404(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(request=RequestCreateSerializer, responses={201: RequestSerializer})
    def create(self, request):
        data = RequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organisation = Organisation.objects.filter(
            pk__in=user_scope(request.user).organisations_with(REQUEST)
        ).first()
        if organisation is None:
            raise NotFoundError()
        values["end"] = values["start"] + timedelta(hours=values.pop("hours"))
        item = request_create(actor=request.user, organisation=organisation, **values)
        return Response(RequestSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def suggestions(self, request, pk=None):
        """The interpreters who fit, best first, each with the reasons of its rank."""
        ranked, _excluded = suggest(self.get_object())
        return Response(
            [
                {
                    "interpreter": InterpreterSerializer(i).data,
                    "score": r.score,
                    "reasons": [x.as_dict() for x in r.reasons],
                }
                for i, r in ranked
            ]
        )

    @extend_schema(request=BookSerializer, responses={201: BookingSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        """Ask an interpreter: their time is held until they (or the coordinator) confirm."""
        data = BookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = self.get_object()
        interpreter = (
            Interpreter.objects.visible_to(request.user)
            .filter(pk=data.validated_data["interpreter"])
            .first()
        )
        if interpreter is None:
            raise NotFoundError()
        booking = booking_propose(actor=request.user, request=item, interpreter=interpreter)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        item = request_cancel(actor=request.user, request=self.get_object())
        return Response(RequestSerializer(item).data)


class BookingStepSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The version you read: 409 if the booking changed since.",
    )


class FeedbackSerializer(serializers.Serializer):
    quality = serializers.IntegerField(required=False, min_value=1, max_value=5, allow_null=True)
    neutral = serializers.BooleanField(required=False, allow_null=True, default=None)
    confidentiality_concern = serializers.BooleanField(required=False, default=False)
    safety_concern = serializers.BooleanField(required=False, default=False)
    distress = serializers.BooleanField(required=False, default=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AvailabilitySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class BookingViewSet(
    AuditedReadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Bookings of your requests, of the pool you coordinate, or — for an interpreter — your own.
    Steps are POSTs on each booking."""

    audit_prefix = "booking"

    serializer_class = BookingSerializer
    queryset = Booking.objects.none()

    def get_permissions(self):
        from veza.interpreters.api.permissions import BookingAccess

        return [BookingAccess()]

    def get_queryset(self):
        from django.db.models import Q

        user = self.request.user
        requests = visible_requests(user).values("pk")
        return (
            Booking.objects.filter(Q(request__in=requests) | Q(interpreter__user=user))
            .select_related("request", "interpreter")
            .order_by("-start")
        )

    def get_object(self):
        return visible_or_404(self.get_queryset(), self.kwargs["pk"])

    def _done(self, booking, code=status.HTTP_200_OK):
        return Response(BookingSerializer(booking).data, status=code)

    def _step(self, request, service, *fields):
        """One step of the booking (the service named), at the version the client last saw."""
        data = BookingStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = service(
            actor=request.user,
            booking=self.get_object(),
            expected_version=data.validated_data["version"],
            **{name: data.validated_data[name] for name in fields},
        )
        return self._done(booking)

    @extend_schema(request=BookingStepSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        from veza.interpreters.services import booking_confirm

        return self._step(request, booking_confirm)

    @extend_schema(request=BookingStepSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        from veza.interpreters.services import booking_decline

        return self._step(request, booking_decline, "note")

    @extend_schema(request=BookingStepSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        from veza.interpreters.services import booking_cancel

        return self._step(request, booking_cancel, "note")

    @extend_schema(request=FeedbackSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        from veza.interpreters.services import feedback_record

        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback_record(actor=request.user, booking=self.get_object(), **data.validated_data)
        return Response({"status": "recorded"}, status=status.HTTP_201_CREATED)
