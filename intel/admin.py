"""Admin pages for the records: a maintenance tool for administrators, not the analysts' UI."""

from __future__ import annotations

from django.contrib import admin

from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CallForService,
    CaseReferral,
    Incident,
    Person,
    PersonAlias,
    PersonIdentifier,
    Shooting,
    Zone,
    ZoneLayer,
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "is_law_enforcement")
    list_filter = ("kind", "is_law_enforcement")
    search_fields = ("name", "short_name")


class ZoneInline(admin.TabularInline):
    model = Zone
    fields = ("key", "name", "min_lat", "min_lon", "max_lat", "max_lon")
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(ZoneLayer)
class ZoneLayerAdmin(admin.ModelAdmin):
    list_display = ("name", "label", "key_field", "source_crs", "imported_at")
    search_fields = ("name", "label")
    inlines = [ZoneInline]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "layer")
    list_filter = ("layer",)
    search_fields = ("key", "name")


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 0


class PersonIdentifierInline(admin.TabularInline):
    model = PersonIdentifier
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("__str__", "dob", "sex", "race", "updated_at")
    list_filter = ("sex", "race")
    search_fields = ("last_name", "first_name", "aliases__last_name", "identifiers__value")
    inlines = [PersonAliasInline, PersonIdentifierInline]


@admin.register(PersonAlias)
class PersonAliasAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "person")
    list_filter = ("kind",)
    search_fields = ("last_name", "first_name")
    raw_id_fields = ("person",)


@admin.register(PersonIdentifier)
class PersonIdentifierAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "issuing_agency", "person")
    list_filter = ("kind", "issuing_agency")
    search_fields = ("value",)
    raw_id_fields = ("person",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = (
        "source_id",
        "occurred_at",
        "category",
        "offense_description",
        "zone",
        "geocode_quality",
        "source_agency",
    )
    list_filter = ("category", "geocode_quality", "firearm", "domestic", "source_agency")
    search_fields = ("source_id", "offense_code", "offense_description", "address")
    date_hierarchy = "occurred_at"
    list_select_related = ("zone", "source_agency")
    raw_id_fields = ("zone",)


class ArrestChargeInline(admin.TabularInline):
    model = ArrestCharge
    extra = 0


@admin.register(Arrest)
class ArrestAdmin(admin.ModelAdmin):
    list_display = (
        "source_id",
        "arrested_at",
        "name_as_recorded",
        "person",
        "zone",
        "source_agency",
    )
    list_filter = ("geocode_quality", "sex", "race", "source_agency")
    search_fields = ("source_id", "name_as_recorded", "address")
    date_hierarchy = "arrested_at"
    list_select_related = ("person", "zone", "source_agency")
    raw_id_fields = ("person", "incident", "zone")
    inlines = [ArrestChargeInline]


@admin.register(CaseReferral)
class CaseReferralAdmin(admin.ModelAdmin):
    list_display = ("case_number", "referred_at", "defendant", "status", "category", "top_charge")
    list_filter = ("status", "category")
    search_fields = ("case_number", "source_id", "top_charge")
    date_hierarchy = "referred_at"
    list_select_related = ("defendant",)
    raw_id_fields = ("defendant", "arrest", "assigned_to")


@admin.register(Shooting)
class ShootingAdmin(admin.ModelAdmin):
    list_display = ("source_id", "occurred_at", "fatal", "victim", "zone", "source_agency")
    list_filter = ("fatal", "geocode_quality", "source_agency")
    search_fields = ("source_id", "address")
    date_hierarchy = "occurred_at"
    list_select_related = ("victim", "zone", "source_agency")
    raw_id_fields = ("victim", "zone")


@admin.register(CallForService)
class CallForServiceAdmin(admin.ModelAdmin):
    list_display = ("source_id", "received_at", "call_type", "priority", "disposition", "zone")
    list_filter = ("priority", "geocode_quality", "source_agency")
    search_fields = ("source_id", "call_type", "address")
    date_hierarchy = "received_at"
    list_select_related = ("zone", "source_agency")
    raw_id_fields = ("zone",)
