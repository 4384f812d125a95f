"""Watch lists and arrest alerts.

A watch list nests three levels deep (category > group > sub-group). Its owners, editors and
viewers are django-guardian object permissions (``own_watchlist``, ``change_watchlist``,
``view_watchlist``) on the list or any ancestor: roles inherit downward. A silent list notifies
its owners only. Entries target a person, a charge or a place and expire. After an arrest import
commits, matching makes one consolidated ``Alert`` per arrest per recipient, listing every list
and reason that matched; each alert is delivered in-app and by e-mail (``AlertDelivery``, one
row per channel, claimed and marked so a redelivered task never sends twice).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from alerts.querysets import AlertQuerySet, WatchEntryQuerySet, WatchListQuerySet

MAX_DEPTH = 3  # category > group > sub-group


class WatchList(models.Model):
    """A folder of watch entries. ``level`` is 1 for a category, 2 for a group, 3 for a
    sub-group; a child's level is its parent's plus one (the service keeps it so)."""

    class Priority(models.TextChoices):
        HIGH = "high", "High: each alert at once"
        NORMAL = "normal", "Normal: a daily digest"

    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_DEPTH)]
    )
    description = models.TextField(blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    silent = models.BooleanField(default=False, help_text="A silent list notifies its owners only.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The contact named on its alerts.",
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pause_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WatchListQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name", "id"]
        permissions = [("own_watchlist", "Owns the watch list")]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="alerts_watchlist_unique", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=MAX_DEPTH),
                name="alerts_watchlist_depth",
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level=1)
                | models.Q(parent__isnull=False, level__gt=1),
                name="alerts_watchlist_level_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WatchListUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian grants on a list: owner, editor, viewer."""

    content_object = models.ForeignKey(WatchList, on_delete=models.CASCADE)


class WatchListGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(WatchList, on_delete=models.CASCADE)


class WatchEntry(models.Model):
    """What a list watches: a person (linked, or by name, DOB and state ID until one is), a
    charge (a statute, code or category) or a place (an address, a radius around a point, or
    a zone). ``owner_note`` is for the entry's creator alone; ``note`` goes to every recipient.
    An entry never targets a non-criminal identifier from an intelligence record."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        CHARGE = "charge", "Charge"
        PLACE = "place", "Place"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REMOVED = "removed", "Removed"

    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    # person
    person = models.ForeignKey(
        "intel.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_name = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    state_id = models.CharField(max_length=40, blank=True)
    # charge: a statute or offense code as agencies write it, or an offense category
    charge = models.CharField(max_length=100, blank=True)
    # place
    address = models.CharField(max_length=255, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    zone = models.ForeignKey(
        "intel.Zone", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(validators=[MinLengthValidator(10)])
    owner_note = models.TextField(blank=True, help_text="Seen by the entry's creator only.")
    note = models.TextField(blank=True, help_text="Shown to every recipient of its alerts.")
    expires_at = models.DateTimeField(db_index=True)
    renewed_at = models.DateTimeField(null=True, blank=True)
    renewal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The row of a watch-list CSV it came from (``import_watchlist``): re-importing updates it.
    import_key = models.CharField(max_length=64, blank=True)

    objects = WatchEntryQuerySet.as_manager()

    class Meta:
        ordering = ["watch_list", "-created_at", "-id"]
        verbose_name_plural = "watch entries"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="person")
                    & (
                        models.Q(person__isnull=False)
                        | ~models.Q(last_name="")
                        | ~models.Q(state_id="")
                    )
                )
                | (models.Q(kind="charge") & ~models.Q(charge=""))
                | (
                    models.Q(kind="place")
                    & (
                        models.Q(zone__isnull=False)
                        | ~models.Q(address="")
                        | models.Q(
                            latitude__isnull=False,
                            longitude__isnull=False,
                            radius_m__isnull=False,
                        )
                    )
                ),
                name="alerts_watchentry_target",
            ),
            models.UniqueConstraint(
                fields=["watch_list", "import_key"],
                condition=~models.Q(import_key=""),
                name="alerts_watchentry_import_key",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="alerts_entry_kind_idx"),
            models.Index(fields=["person"], name="alerts_entry_person_idx"),
            models.Index(fields=["state_id"], name="alerts_entry_state_id_idx"),
            models.Index(fields=["last_name", "dob"], name="alerts_entry_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} entry #{self.pk} in {self.watch_list}"


class Alert(models.Model):
    """One consolidated alert: an arrest, for one recipient, with every list, entry and reason
    that matched (``matches``: ``[{list, list_id, entry_id, type, reason, note, how, score}]``;
    ``type`` is person, charge, place or open_case). Unique per arrest and recipient, so a
    re-run import or a redelivered task never makes a second one."""

    class Action(models.TextChoices):
        BAIL_ARGUED = "bail_argued", "Bail argued"
        CASE_ADDED = "case_added", "Case added"
        ADA_CONTACTED = "ada_contacted", "Assigned ADA contacted"
        NO_ACTION = "no_action", "No action"

    arrest = models.ForeignKey("intel.Arrest", on_delete=models.CASCADE, related_name="alerts")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    person = models.ForeignKey(
        "intel.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matches = models.JSONField()
    high_priority = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices, blank=True)
    action_note = models.TextField(blank=True)
    action_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_fatigue", "Can see the alert-fatigue report and pause lists")]
        constraints = [
            models.UniqueConstraint(fields=["arrest", "recipient"], name="alerts_alert_unique")
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="alerts_alert_inbox_idx")]

    def __str__(self) -> str:
        return f"Alert #{self.pk}: arrest #{self.arrest_id} to {self.recipient_id}"


class AlertDelivery(models.Model):
    """One channel of one alert. The delivery task claims the row (``select_for_update``),
    skips it when ``sent_at`` is set, sends, then marks it: a redelivered task sends nothing
    twice; the gap between sending and marking can give at most one duplicate e-mail.
    ``due_at`` is when it may go: now for a high-priority list, the recipient's next digest
    otherwise, and after their quiet hours."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", "In the app"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after retries"
        SKIPPED = "skipped", "Skipped (snoozed or no address)"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(db_index=True)
    digest = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel"], name="alerts_delivery_unique")
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="alerts_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} of alert #{self.alert_id} ({self.status})"


class AlertPreference(models.Model):
    """A recipient's delivery settings: e-mail on or off, quiet hours (local time of the
    office), and the hour of the daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    email = models.BooleanField(default=True)
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)
    digest_hour = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(23)], help_text="Local hour of the daily digest."
    )

    def __str__(self) -> str:
        return f"Alert preferences of {self.user_id}"


class Snooze(models.Model):
    """A recipient silences a list (and its sub-lists) or a person until a date."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    watch_list = models.ForeignKey(
        WatchList, null=True, blank=True, on_delete=models.CASCADE, related_name="snoozes"
    )
    person = models.ForeignKey(
        "intel.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-until"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(watch_list__isnull=False, person__isnull=True)
                | models.Q(watch_list__isnull=True, person__isnull=False),
                name="alerts_snooze_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"Snooze by {self.user_id} until {self.until:%Y-%m-%d}"
