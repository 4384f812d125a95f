"""What an extract may tell us, field by field, and where each lands for each kind of import.

A *field* is a fact in our language (``when``, ``latitude``, ``offense_description``...). Each
has header synonyms (normalised: lower case, words only) used by automatic mapping, and a value
type that tells the parser what to do with it. ``KINDS`` says which fields each import kind uses,
which are required, and which model column each one fills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # id, datetime, date, time, text, float, int, bool, point, ewkb, sex, race, name
    synonyms: tuple[str, ...] = ()


F = Field
FIELDS: dict[str, Field] = {f.name: f for f in [
    F("source_id", "Record id", "id", (
        "id", "incident id", "incident number", "arrest key", "arrest id", "objectid",
        "object id", "cad event number", "event number", "report number", "case number",
        "dc key", "incident num", "record id", "cr number", "complaint number", "ccn",
        "cmplnt num", "rd number", "event id", "call number", "inc number", "arrest number",
        "arrest no", "arrest num", "booking number", "booking no", "booking id", "report no",
        "report num", "report id", "case no", "case id", "incident no", "incident key",
        "event no", "event unique id", "complaint no", "complaint id", "ccn number", "dr no",
        "dr number", "cad number", "record number", "crime id")),
    F("when", "Date and time", "datetime", (
        "date", "datetime", "date time", "occurred", "occurred date", "occurred on",
        "date occurred", "arrest date", "incident date", "offense date", "date of occurrence",
        "original time queued", "time queued", "received", "call received", "date ",
        "referral date", "referred", "date referred", "cmplnt fr dt", "event date",
        "dispatch date", "occurrence date", "from date", "start date", "occ date", "date occ",
        "begin date", "occurred date time", "occurrence datetime", "offense start date")),
    F("when_time", "Time (separate column)", "time", (
        "time", "occurred time", "time occurred", "arrest time", "incident time",
        "offense time", "hour", "cmplnt fr tm", "event time", "occurrence time", "from time",
        "start time", "time occ", "occ time", "occ hour", "occurrence hour", "begin time")),
    F("reported_at", "Reported", "datetime", (
        "report date", "date reported", "reported date", "reported on",
        "report taken date", "report taken date est", "report dat", "date rptd", "rpt date",
        "reported datetime", "report datetime", "date of report")),
    F("offense_code", "Offense code", "text", (
        "iucr", "offense code", "pd cd", "ucr code", "nibrs code", "offense", "crime code",
        "code", "ky cd", "ofns cd", "statute code", "charge code", "ibrs", "nibrs",
        "offence code", "ucr")),
    F("offense_type", "Offense type", "text", (
        "primary type", "offense type", "ofns desc", "crime type", "type", "category",
        "incident type", "offense category", "text general code", "ucr description",
        "call type", "initial call type", "field contact type", "crime against",
        "offense group", "offence type", "offence category", "mci category", "mci",
        "crime category", "major category", "incident category")),
    F("offense_description", "Offense description", "text", (
        "description", "offense description", "pd desc", "crime description", "charge",
        "charge description", "offense desc", "reason for stop", "final call type",
        "top charge", "charges", "offense", "crime", "statute description", "offence",
        "offence description", "offence desc", "incident description")),
    F("statute", "Statute / law code", "text", ("law code", "statute", "penal code", "law")),
    F("severity", "Felony / misdemeanor", "text", (
        "law cat cd", "charge level", "severity", "offense level", "law category",
        "felony misdemeanor", "class")),
    F("address", "Address or block", "text", (
        "block", "address", "block address", "location", "street address", "incident address",
        "location address", "block location", "hundred block location")),
    F("latitude", "Latitude", "float", (
        "latitude", "lat", "y latitude", "blurred latitude", "point y", "geo lat", "lat y",
        "lat wgs84", "latitude wgs84")),
    F("longitude", "Longitude", "float", (
        "longitude", "lon", "lng", "long", "blurred longitude", "point x", "geo lon", "lon x",
        "long wgs84", "lon wgs84", "longitude wgs84")),
    F("point", "Point (WKT or \"(lat, lon)\")", "point", (
        "location", "new georeferenced column", "geocoded column", "point", "geometry",
        "lat lon", "latlon", "the geom", "shape", "geolocation", "coordinates")),
    F("ewkb", "Geometry (EWKB hex)", "ewkb", ("the geom", "geom", "shape", "geometry")),
    F("x", "Projected X", "float", ("x coordinate", "x coord cd", "x", "xcoord", "x coord")),
    F("y", "Projected Y", "float", ("y coordinate", "y coord cd", "y", "ycoord", "y coord")),
    F("district", "District / precinct", "text", (
        "district", "precinct", "arrest precinct", "dist", "incident location district",
        "police district", "addr pct cd", "pct", "dist num", "division")),
    F("beat", "Beat / sector / PSA", "text", (
        "beat", "sector", "psa", "incident location psa", "police service area", "post",
        "reporting area")),
    F("subject_sex", "Sex", "sex", (
        "sex", "gender", "perp sex", "subject sex", "victim sex", "arrestee sex", "def sex",
        "vic sex")),
    F("subject_race", "Race", "race", (
        "race", "perp race", "subject race", "victim race", "arrestee race", "def race",
        "vic race")),
    F("subject_ethnicity", "Ethnicity", "text", (
        "ethnicity", "subject ethnicity", "hispanic", "latino", "victim ethnicity")),
    F("subject_age", "Age", "int", ("age", "subject age", "victim age", "arrestee age")),
    F("subject_age_group", "Age group", "text", (
        "age group", "age range", "agegroup", "vic age group", "perp age group",
        "victim age group")),
    F("firearm", "Firearm involved", "bool", ("firearm", "gun", "weapon firearm", "firearm used",
                                              "gun involved")),
    F("domestic", "Domestic", "bool", ("domestic", "domestic violence", "dv", "dv flag",
                                       "dvflag", "domestic flag")),
    F("fatal", "Fatal", "bool", ("fatal", "killed", "deceased", "death", "victim deceased",
                                 "statistical murder flag", "murder flag")),
    F("full_name", "Full name", "name", (
        "name", "full name", "defendant", "defendant name", "arrestee name", "subject name",
        "arrestee", "person name")),
    F("last_name", "Last name", "text", ("last name", "surname", "lname", "last", "family name")),
    F("first_name", "First name", "text", ("first name", "fname", "first", "given name")),
    F("middle_name", "Middle name", "text", ("middle name", "middle", "mname", "middle initial")),
    F("dob", "Date of birth", "date", ("dob", "date of birth", "birth date", "birthdate",
                                       "birth dt")),
    F("state_id", "State id", "text", ("state id", "nysid", "sid", "state identification",
                                       "state id number")),
    F("fbi_number", "FBI number", "text", ("fbi number", "fbi", "fbi no", "ucn")),
    F("booking_number", "Booking number", "text", ("booking number", "booking no", "booking id",
                                                   "booking")),
    F("priority", "Priority", "text", ("priority", "call priority")),
    F("disposition", "Disposition", "text", (
        "disposition", "event clearance description", "clearance", "final disposition",
        "case status", "status")),
    F("case_number", "Case number", "text", ("case number", "docket", "docket number",
                                             "case no", "indictment number")),
    # Victims (shootings) and defendants (case referrals).
    F("injury", "Injury / wound", "text", ("wound", "injury", "injury type", "wound location",
                                           "injuries")),
    F("referring_agency", "Referring agency", "text", (
        "referring agency", "agency", "arresting agency", "law enforcement agency",
        "police agency", "submitting agency")),
    F("arrest_number", "Arrest number", "text", (
        "arrest number", "arrest no", "arrest id", "arrest key", "arrest num")),
    F("charging_decision", "Charging decision", "text", (
        "charging decision", "decision", "screening decision", "intake decision",
        "felony review result", "charge decision")),
    F("charging_decision_at", "Charging decision date", "date", (
        "charging decision date", "decision date", "screening date", "felony review date",
        "charge date", "filing date", "date filed")),
    F("assigned_prosecutor", "Assigned prosecutor", "text", (
        "assigned prosecutor", "prosecutor", "assigned attorney", "ada", "attorney",
        "assigned ada")),
    F("disposition_at", "Disposition date", "date", ("disposition date", "date of disposition",
                                                     "disposed date", "sentence date")),
]}  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """One import kind: its model, the fields it uses, and which of them are required."""

    name: str
    model: str  # intel model name
    when_column: str
    fields: tuple[str, ...]
    required: tuple[str, ...] = ("when",)
    columns: dict[str, str] = field(default_factory=dict)  # field → model column, if renamed


_LOCATION = ("address", "latitude", "longitude", "point", "ewkb", "x", "y", "district", "beat")
_PERSON = (
    "full_name",
    "last_name",
    "first_name",
    "middle_name",
    "dob",
    "state_id",
    "fbi_number",
    "booking_number",
)
_SUBJECT = ("subject_sex", "subject_race", "subject_ethnicity", "subject_age", "subject_age_group")

KINDS: dict[str, Kind] = {
    "incidents": Kind(
        "incidents", "Incident", "occurred_at",
        ("source_id", "when", "when_time", "reported_at", "offense_code", "offense_type",
         "offense_description", *_LOCATION, *_SUBJECT, "firearm", "domestic"),
    ),
    "arrests": Kind(
        "arrests", "Arrest", "arrested_at",
        ("source_id", "when", "when_time", "offense_code", "offense_type", "offense_description",
         "statute", "severity", *_LOCATION, *_SUBJECT, *_PERSON),
        columns={"subject_sex": "sex", "subject_race": "race", "subject_ethnicity": "ethnicity",
                 "subject_age": "age", "subject_age_group": "age_group"},
    ),
    "shootings": Kind(
        "shootings", "Shooting", "occurred_at",
        ("source_id", "when", "when_time", *_LOCATION, *_SUBJECT, "fatal", "injury", *_PERSON),
        columns={"subject_sex": "victim_sex", "subject_race": "victim_race",
                 "subject_ethnicity": "victim_ethnicity", "subject_age": "victim_age",
                 "subject_age_group": "victim_age_group"},
    ),
    "calls": Kind(
        "calls", "CallForService", "received_at",
        ("source_id", "when", "when_time", "offense_type", "offense_description", "priority",
         "disposition", *_LOCATION),
        columns={"offense_type": "call_type"},
    ),
    "cases": Kind(
        "cases", "CaseReferral", "referred_at",
        ("source_id", "case_number", "when", "when_time", "offense_type", "offense_description",
         "statute", "severity", "disposition", "disposition_at", "referring_agency",
         "arrest_number", "charging_decision", "charging_decision_at", "assigned_prosecutor",
         "subject_sex", "subject_race", *_PERSON),
        required=("when", "case_number"),
        columns={"subject_sex": "defendant_sex", "subject_race": "defendant_race"},
    ),
}  # fmt: skip

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_header(header: str) -> str:
    return _NON_WORD.sub(" ", header.lower()).strip()
