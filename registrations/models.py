"""Operators, outlets, subscribers and their registrations.

Rules that the database can hold are constraints here; the rest live in ``rules.py`` and
are applied by ``services.py``.
"""

import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.lib.fieldcrypt import BlindIndexField, EncryptedTextField, blind_index
from portal.lib.masking import mask_id_number
from registrations import rules
from registrations.errors import RegistrationCode as Code
from registrations.errors import RegistrationError

_RESIDENT_ID_RE = re.compile(rules.RESIDENT_ID_PATTERN, re.ASCII)


class Province(models.Model):
    """A provincial-level division, keyed by its GB/T 2260 code (e.g. 440000)."""

    code = models.CharField(primary_key=True, max_length=6)
    name = models.CharField(max_length=32)
    name_en = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]
        permissions = [("inspect_province", "Inspect registrations in a province")]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[1-8]\d0000$"), name="province_code_is_gbt2260"
            )
        ]

    def __str__(self) -> str:
        # In the page's language: a Chinese page says 广东省, an English one Guangdong.
        return self.name if (get_language() or "").startswith("zh") else self.name_en


class Operator(models.Model):
    class Kind(models.TextChoices):
        MNO = "MNO", _("Mobile network operator")
        MVNO = "MVNO", _("Mobile virtual network operator")

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=4, choices=Kind.choices)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["code"]
        permissions = [
            ("manage_operator", "Administer an operator (outlets, staff, review)"),
            ("use_partner_api", "Submit registrations for an operator over the partner API"),
        ]

    def __str__(self) -> str:
        return self.name


class Outlet(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("operator")
    )
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("province")
    )
    opening_hours = models.CharField(max_length=100, help_text="For example 09:00-21:00 daily")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["operator__code", "code"]
        permissions = [
            ("work_at_outlet", "Register subscribers at an outlet"),
            ("manage_outlets", "Open and edit the outlets of one's own operator"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "code"], name="outlet_code_unique_per_operator"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "suspended"]), name="outlet_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


SEX_LABELS = {"male": pgettext_lazy("sex", "Male"), "female": pgettext_lazy("sex", "Female")}


class SubscriberQuerySet(models.QuerySet):
    def with_id(self, *, id_type: str, id_number: str) -> "SubscriberQuerySet":
        """The subscriber holding this ID, found by its blind index (the number is sealed)."""
        return self.filter(
            id_type=id_type, id_number_index=Subscriber.id_number_index_for(id_number)
        )


class Subscriber(models.Model):
    """One ID document's holder. The ID number and the name are sealed in the database
    (``portal.lib.fieldcrypt``), so that a dump without the keys leaks no identity; the ID
    number is found again through its keyed blind index."""

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("Resident identity card")
        HK_MACAO_PERMIT = "hk_macao_permit", _("Mainland travel permit for HK and Macao residents")
        TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
        PASSPORT = "passport", _("Passport")

    ID_NUMBER_PURPOSE = "registrations.subscriber.id_number"

    id_type = models.CharField(max_length=20, choices=IdType.choices)
    # Both None once the registration record's retention ends (``anonymised_at``): the
    # row stays, so the counts, the history and "who looked" of its registrations stay whole.
    id_number = EncryptedTextField(context=ID_NUMBER_PURPOSE, null=True)
    id_number_index = BlindIndexField(source="id_number", purpose=ID_NUMBER_PURPOSE, null=True)
    full_name = EncryptedTextField(context="registrations.subscriber.full_name", null=True)
    birth_date = models.DateField()
    # Read from a resident ID number when the row is saved and kept apart from it, so that
    # the rollups and fairness figures can count it without unsealing the number, and still
    # after the number is deleted. Empty for other documents.
    sex = models.CharField(max_length=8, choices=SEX_LABELS.items(), blank=True, db_default="")
    id_expiry = models.DateField(null=True, blank=True, help_text="Empty for a long-term ID")
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="When the ID number and the name were deleted"
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number_index"], name="subscriber_id_index_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_id_type_display()} {self.masked_id_number}"

    def save(self, *args, **kwargs) -> None:
        if self.id_number is not None:
            self._check_id_number()
            self.sex = self._sex_from_id()
        super().save(*args, **kwargs)

    def _sex_from_id(self) -> str:
        """ "male" or "female" from a resident ID number's 17th digit; "" for other documents."""
        if not self.birth_date_from_id:
            return ""
        return rules.sex_from_resident_id(self.id_number) or ""

    def _check_id_number(self) -> None:
        # The database cannot check a sealed number's format any more (it was a check
        # constraint): every save does. The services check far more before they get here.
        if self.id_type == self.IdType.RESIDENT_ID and not _RESIDENT_ID_RE.fullmatch(
            self.id_number
        ):
            raise RegistrationError(Code.INVALID_ID_NUMBER, field="id_number")

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def anonymised_note(self) -> str:
        """ "Deleted on DATE under rule X" (the registration record's), as evidence says it."""
        if not self.anonymised_at:
            return ""
        return _("Deleted on %(date)s under the rule “%(rule)s”.") % {
            "date": timezone.localdate(self.anonymised_at).isoformat(),
            "rule": _("Registration record"),
        }

    @staticmethod
    def id_number_index_for(id_number: str) -> str:
        return blind_index(id_number, purpose=Subscriber.ID_NUMBER_PURPOSE)

    @property
    def masked_id_number(self) -> str:
        """Empty once the number is deleted (pages say so with ``_anonymised.html``)."""
        return mask_id_number(self.id_number) if self.id_number else ""

    @property
    def birth_date_from_id(self) -> bool:
        """A resident ID number holds the date of birth (and the sex): nobody typed them."""
        return self.id_type == self.IdType.RESIDENT_ID


class RegistrationPolicy(models.Model):
    """The ministry's rule settings: a single row, edited by the ministry admin."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    cap_per_operator = models.PositiveSmallIntegerField(
        help_text="Most pending or active numbers one ID may hold with one operator"
    )
    # The capture page's "upload a recorded clip" fallback. Even when on, an uploaded capture
    # is never approved without a person; VERIFICATION_ALLOW_UPLOADS can forbid it outright.
    allow_uploaded_captures = models.BooleanField(
        default=True, help_text="Outlets may upload a recorded clip when the camera fails"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("registration policy")
        verbose_name_plural = _("registration policy")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="registration_policy_single_row"),
            models.CheckConstraint(condition=Q(cap_per_operator__gte=1), name="cap_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"Cap of {self.cap_per_operator} numbers per ID per operator"


class Registration(models.Model):
    class Channel(models.TextChoices):
        OUTLET = "outlet", _("Outlet")
        ONLINE = "online", _("Online partner")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VERIFYING = "verifying", _("Verifying")
        REVIEW = "review", _("In review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        DISCARDED = "discarded", _("Discarded")

    class CancellationReason(models.TextChoices):
        """Why an approved number is given up: asked at the counter, kept and audited."""

        SUBSCRIBER_REQUEST = "subscriber_request", _("The subscriber gives up the number")
        WRONG_DETAILS = "wrong_details", _("Registered with wrong details")
        NOT_THE_SUBSCRIBER = (
            "not_the_subscriber",
            _("The ID holder did not register this number (dispute upheld)"),
        )
        FRAUD_SUSPECTED = "fraud_suspected", _("Suspected fraud or misuse of the ID")
        OTHER = "other", _("Another reason (write it below)")

    # Statuses in which a registration holds its number and counts against the cap.
    HOLDING_STATUSES = (Status.SUBMITTED, Status.VERIFYING, Status.REVIEW, Status.APPROVED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of their own for these foreign keys: each leads one of the indexes in Meta,
    # which serves its lookups as well. Every index costs every write (and a bulk load).
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.PROTECT, related_name="registrations", db_index=False
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("operator"),
        db_index=False,
    )
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("province"),
        db_index=False,
    )
    msisdn = models.CharField("MSISDN", max_length=16)
    iccid = models.CharField("ICCID", max_length=20)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations_created",
        db_index=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations_decided",
        help_text="The reviewer, for a manual decision; empty for the verification engine",
    )
    decision_reasons = models.JSONField(default=list, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations_cancelled",
    )
    # Kept apart from decision_note: the reviewer's reason for approving stays readable.
    # Empty in the database too (db_default): bulk loads (COPY) name only the columns they fill.
    cancellation_reason = models.CharField(
        max_length=32, choices=CancellationReason.choices, blank=True, db_default=""
    )
    cancellation_note = models.TextField(blank=True, db_default="")

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        permissions = [
            ("submit_registration", "Submit a registration for verification"),
            ("review_registration", "Decide a registration in manual review"),
            ("cancel_registration", "Cancel an approved registration"),
        ]
        indexes = [
            models.Index(
                fields=["operator", "status", "created_at"], name="reg_operator_status_time"
            ),
            # The list is read newest first by (created_at, id) within a scope or a filter:
            # each of these gives a page's rows from the top of an index at any size.
            models.Index(fields=["province", "created_at"], name="reg_province_time"),
            models.Index(fields=["outlet", "created_at"], name="reg_outlet_time"),
            models.Index(fields=["operator", "created_at"], name="reg_operator_time"),
            models.Index(fields=["status", "created_at"], name="reg_status_time"),
            models.Index(fields=["created_by", "created_at"], name="reg_staff_time"),
            # The review queue: an operator's cases in review, the longest waiting first.
            models.Index(
                fields=["operator", "submitted_at", "id"],
                condition=Q(status="review"),
                name="reg_review_queue",
            ),
            # The review queue's outlet filter: which outlets have a case waiting.
            models.Index(
                fields=["outlet", "operator"],
                condition=Q(status="review"),
                name="reg_review_outlet",
            ),
            models.Index(fields=["subscriber", "operator", "status"], name="reg_subscriber_cap"),
            # The list's search by number, in every status (the unique index on msisdn
            # covers the holding statuses only).
            models.Index(fields=["msisdn"], name="reg_msisdn"),
            models.Index(fields=["iccid"], name="reg_iccid"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["msisdn"],
                condition=Q(status__in=["submitted", "verifying", "review", "approved"]),
                name="msisdn_active_on_one_registration",
            ),
            models.CheckConstraint(
                condition=Q(msisdn__regex=rules.MSISDN_E164_PATTERN), name="msisdn_is_e164_mobile"
            ),
            models.CheckConstraint(
                condition=Q(iccid__regex=rules.ICCID_PATTERN), name="iccid_format"
            ),
            models.CheckConstraint(
                condition=(Q(channel="outlet") & Q(outlet__isnull=False))
                | (Q(channel="online") & Q(outlet__isnull=True)),
                name="outlet_only_for_outlet_channel",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "verifying",
                        "review",
                        "approved",
                        "rejected",
                        "cancelled",
                        "discarded",
                    ]
                ),
                name="registration_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Registration {self.id}"

    @property
    def msisdn_national(self) -> str:
        return rules.national_msisdn(self.msisdn)

    @property
    def msisdn_display(self) -> str:
        """``138 0013 8000``: the one way pages show a mobile number."""
        return rules.display_msisdn(self.msisdn)
