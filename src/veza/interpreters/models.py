"""The joint interpreter pool: interpreters and their languages, availability, requests from the
professionals, bookings and feedback. Requests name a case, screening or referral only by its
pseudonymous reference."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.core.models import VersionedModel

__all__ = [
    "Availability",
    "Booking",
    "Feedback",
    "Interpreter",
    "InterpreterRequest",
    "Skill",
]


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class Vetting(models.TextChoices):
    PENDING = "pending", _("pending")
    VALID = "valid", _("vetted")
    REFUSED = "refused", _("refused")


class Setting(models.TextChoices):
    POLICE_INTERVIEW = "police_interview", _("Police interview")
    IDENTIFICATION = "identification", _("Identification interview")
    MEDICAL = "medical", _("Medical")
    COURT = "court", _("Court")
    SHELTER = "shelter", _("Shelter")
    COUNSELLING = "counselling", _("Counselling")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    OTHER = "other", _("Other")


class InterpreterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The pool is joint: every professional who may ask for an interpreter sees its
        members (professionals, not the people they interpret for); an interpreter sees their
        own record."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        from veza.organisations.scope import user_scope

        if user_scope(user).organisations_with("interpreters.view_interpreter"):
            return self
        return self.filter(user=user)


class Interpreter(VersionedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interpreter",
        help_text=_("The interpreter's own account, to manage availability and see bookings."),
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interpreters",
        verbose_name=_("interpreter service"),
    )
    participant = models.ForeignKey(
        "organisations.Participant", on_delete=models.PROTECT, related_name="+"
    )
    area = models.CharField(_("town or area"), max_length=120, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    remote = models.BooleanField(_("works remotely (video or phone)"), default=True)
    on_site = models.BooleanField(_("works on site"), default=True)
    travel_km_max = models.PositiveIntegerField(_("travels up to (km)"), null=True, blank=True)
    target_languages = models.JSONField(
        _("interprets into"),
        default=list,
        help_text=_("ISO 639-3 codes of the professionals' languages, e.g. srp, mkd, eng."),
    )
    accreditation = models.CharField(_("accreditation"), max_length=300, blank=True)
    trafficking_training = models.DateField(
        _("trained on trafficking (date)"), null=True, blank=True
    )
    trauma_training = models.DateField(_("trained on trauma (date)"), null=True, blank=True)
    vetting = models.CharField(
        _("vetting"), max_length=8, choices=Vetting.choices, default=Vetting.PENDING
    )
    vetted_until = models.DateField(_("vetting valid until"), null=True, blank=True)
    confidentiality_signed = models.DateField(
        _("confidentiality undertaking signed"), null=True, blank=True
    )
    conflicts = models.JSONField(
        _("conflicts of interest"),
        default=list,
        blank=True,
        help_text=_("Communities, groups or places they must not interpret for."),
    )
    rate_per_hour = models.DecimalField(
        _("rate per hour"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    is_active = models.BooleanField(_("active"), default=True)

    objects = InterpreterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("interpreter")
        verbose_name_plural = _("interpreters")
        permissions = [("coordinate_pool", "Can manage the pool and confirm any booking")]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    interpreter = models.ForeignKey(Interpreter, on_delete=models.CASCADE, related_name="skills")
    language = models.CharField(_("language (ISO 639-3)"), max_length=3)
    dialects = models.JSONField(_("dialects"), default=list, blank=True)
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"),
        choices=[
            (5, _("native")),
            (4, _("fluent")),
            (3, _("working")),
            (2, _("basic")),
            (1, _("beginner")),
        ],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interpreter", "language"], name="one_skill_per_language"
            )
        ]
        indexes = [models.Index(fields=["language", "proficiency"])]

    def __str__(self) -> str:
        return f"{self.language} ({self.proficiency})"


class Availability(models.Model):
    interpreter = models.ForeignKey(
        Interpreter, on_delete=models.CASCADE, related_name="availability"
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["interpreter", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="availability_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.interpreter_id} {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("looking for an interpreter")
    BOOKED = "booked", _("interpreter confirmed")
    CANCELLED = "cancelled", _("cancelled")
    DONE = "done", _("done")


class InterpreterRequest(VersionedModel):
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    participant = models.ForeignKey(
        "organisations.Participant", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(
        _("case, screening or referral reference"),
        max_length=40,
        blank=True,
        help_text=_("A pseudonymous code only (e.g. RS-2026-7K2Q9D), never a name."),
    )
    languages = models.JSONField(_("the person's languages"), default=list)
    dialect = models.CharField(_("dialect"), max_length=60, blank=True)
    target_language = models.CharField(_("into"), max_length=3)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    remote = models.BooleanField(_("remote (video or phone)"), default=False)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    gender_required = models.CharField(
        _("interpreter's gender (required)"), max_length=8, choices=Gender.choices, blank=True
    )
    gender_preferred = models.CharField(
        _("interpreter's gender (preferred)"), max_length=8, choices=Gender.choices, blank=True
    )
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    trafficking_related = models.BooleanField(
        _("about trafficking in human beings"),
        default=True,
        help_text=_("Interpreters trained on trafficking and on trauma come first."),
    )
    min_proficiency = models.PositiveSmallIntegerField(
        _("lowest level accepted"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    avoid = models.JSONField(
        _("conflicts to avoid"),
        default=list,
        blank=True,
        help_text=_("Communities or groups the interpreter must not belong to or work for."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )

    class Meta:
        ordering = ["-start"]
        verbose_name = _("interpreter request")
        verbose_name_plural = _("interpreter requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="request_order"
            )
        ]

    def __str__(self) -> str:
        return f"{'/'.join(self.languages)} {self.start:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    PROPOSED = "proposed", _("asked, waiting for the interpreter")
    CONFIRMED = "confirmed", _("confirmed")
    DECLINED = "declined", _("declined by the interpreter")
    CANCELLED = "cancelled", _("cancelled")
    NO_SHOW = "no_show", _("the interpreter did not come")
    DONE = "done", _("done")


#: Statuses in which a booking holds the interpreter's time.
HOLDING = (BookingStatus.PROPOSED, BookingStatus.CONFIRMED)


class Booking(VersionedModel):
    request = models.ForeignKey(
        InterpreterRequest, on_delete=models.CASCADE, related_name="bookings"
    )
    interpreter = models.ForeignKey(Interpreter, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.PROPOSED
    )
    rank = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["interpreter", "status", "start"])]

    def __str__(self) -> str:
        return f"{self.interpreter_id} {self.start:%Y-%m-%d %H:%M} ({self.status})"


class Feedback(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="feedback")
    by_interpreter = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    quality = models.PositiveSmallIntegerField(_("quality (1 to 5)"), null=True, blank=True)
    neutral = models.BooleanField(_("stayed neutral"), null=True, blank=True)
    confidentiality_concern = models.BooleanField(
        _("a concern about confidentiality"), default=False
    )
    safety_concern = models.BooleanField(_("felt unsafe"), default=False)
    distress = models.BooleanField(_("the assignment was distressing"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "by_interpreter"], name="one_feedback_per_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} {'interpreter' if self.by_interpreter else 'requester'}"


class SupportContact(models.Model):
    """Where the interpreters of a participant turn after an unsafe or distressing assignment;
    kept by the pool's coordinator and shown to every interpreter of the pool."""

    participant = models.OneToOneField(
        "organisations.Participant", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("support service"), max_length=200)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    url = models.URLField(_("web page"), blank=True)
    hours = models.CharField(_("when it answers"), max_length=120, blank=True)
    note = models.TextField(
        _("what it offers"),
        blank=True,
        help_text=_("e.g. confidential debriefing with a psychologist, free of charge."),
    )

    class Meta:
        verbose_name = _("support for interpreters")
        verbose_name_plural = _("support for interpreters")
        default_permissions = ()

    def __str__(self) -> str:
        return self.name
