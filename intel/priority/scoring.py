"""The transparent candidate score: its versioned weights and windows (``ScoreConfig``) and the
set-based computation of every person's factors (``PriorityScore``).

A score is the sum, over the factors below, of ``value × weight``; each factor keeps the ids of
the records behind its value, so every point of a score can be traced to a record. The factors,
counted for each person not merged into another (``merged_into IS NULL``), with "the window"
being the config's ``window_years`` back from now:

``violent_arrests``
    The person's arrests within the window with at least one charge of category *violent*.
    Records: those arrests.
``violent_incidents``
    Incidents linked to the person's arrests (``Arrest.incident``), occurring within the window,
    whose category is *violent* or that have a *violent* offense. Records: those incidents.
``firearm``
    Arrests within the window with a *weapons* charge, plus incidents linked to the person's
    arrests, within the window, recorded with a firearm. Records: both, each with its type.
``recent_arrest``
    1 when the person's latest arrest is within ``recent_months``, else 0. Record: that arrest.
``open_cases``
    Case referrals naming the person as defendant that are still open (referred or charged).
    Records: those cases.
``supervision``
    1 when a probation or parole term of the person is current (started, not ended).
    Records: the current terms.
``shooting_victimisation``
    Shootings within the window in which the person is a victim. Always shown, with its
    records, but it adds nothing to the score unless the office chose so explicitly
    (``ScoreConfig.count_victimisation``): being shot is not an offender fact.

A new version of the weights never touches the scores of older versions: they keep the weights
that made them. The candidates page ranks the scores of the newest version.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from csu import audit
from csu.actors import system_actor
from csu.models import User
from intel.models import ScoreConfig
from intel.models.priority import SCORE_FACTORS
from intel.people.selectors.person import OPEN_CASE_STATUSES

DEFAULT_WEIGHTS: dict[str, float] = {
    "violent_arrests": 3.0,
    "violent_incidents": 2.0,
    "firearm": 3.0,
    "recent_arrest": 2.0,
    "open_cases": 1.0,
    "supervision": 1.0,
    "shooting_victimisation": 0.0,
}

# What each factor means, in words, for the pages (the module docstring has the full text).
FACTOR_LABELS: dict[str, str] = {
    "violent_arrests": "Violent arrests",
    "violent_incidents": "Violent incidents",
    "firearm": "Firearm involvement",
    "recent_arrest": "Recent arrest",
    "open_cases": "Open cases",
    "supervision": "On probation or parole",
    "shooting_victimisation": "Shooting victimisation",
}
FACTOR_HELP: dict[str, str] = {
    "violent_arrests": "Arrests within the window with at least one violent charge.",
    "violent_incidents": (
        "Incidents linked to the person's arrests, within the window, that are violent or "
        "have a violent offense."
    ),
    "firearm": (
        "Arrests within the window with a weapons charge, plus incidents linked to the "
        "person's arrests, within the window, recorded with a firearm."
    ),
    "recent_arrest": "1 when the latest arrest is within the recent-arrest months.",
    "open_cases": "Cases naming the person as defendant that are referred or charged.",
    "supervision": "1 when a probation or parole term is current.",
    "shooting_victimisation": (
        "Shootings within the window in which the person was a victim. Shown, not counted, "
        "unless the office chose to count it."
    ),
}
VICTIMISATION = "shooting_victimisation"


def score_config_current() -> ScoreConfig:
    """The version in force: the newest. When none exists yet, version 1 is made with
    ``DEFAULT_WEIGHTS`` by the system actor."""
    config = ScoreConfig.objects.order_by("-version").first()
    if config is not None:
        return config
    try:
        with transaction.atomic():
            return ScoreConfig.objects.create(
                version=1,
                weights=dict(DEFAULT_WEIGHTS),
                window_years=5,
                recent_months=12,
                count_victimisation=False,
                note="Default weights",
                created_by=system_actor(),
            )
    except IntegrityError:  # made meanwhile by another process
        return ScoreConfig.objects.order_by("-version").first()  # type: ignore[return-value]


def _clean_weights(weights: dict[str, Any], *, count_victimisation: bool) -> dict[str, float]:
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(weights) - set(SCORE_FACTORS))
    if unknown:
        errors.setdefault("weights", []).append(f"Unknown factors: {', '.join(unknown)}.")
    cleaned: dict[str, float] = {}
    for name in SCORE_FACTORS:
        if name not in weights or weights[name] is None:
            errors.setdefault(name, []).append("Give a weight (0 to leave the factor out).")
            continue
        try:
            value = float(weights[name])
        except (TypeError, ValueError):
            errors.setdefault(name, []).append("A weight is a number.")
            continue
        if value != value or value < 0 or value == float("inf"):  # NaN, negative, infinite
            errors.setdefault(name, []).append("A weight is a number of 0 or more.")
            continue
        cleaned[name] = value
    if cleaned.get(VICTIMISATION, 0) > 0 and not count_victimisation:
        errors.setdefault(VICTIMISATION, []).append(
            "Being shot is not an offender fact: its weight must be 0 unless the office "
            "explicitly chooses to count victimisation (tick “Count victimisation”)."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def score_config_create(
    *,
    actor: User,
    weights: dict[str, Any],
    window_years: int,
    recent_months: int,
    count_victimisation: bool,
    note: str,
) -> ScoreConfig:
    """Save a new version of the weights and windows; it is in force from now on. Earlier
    versions and the scores made with them stay as they are."""
    if not actor.has_perm("intel.add_scoreconfig"):
        raise PermissionDenied("Only an administrator may change the score's weights.")
    errors: dict[str, list[str]] = {}
    try:
        cleaned = _clean_weights(weights, count_victimisation=count_victimisation)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    if not isinstance(window_years, int) or window_years < 1:
        errors.setdefault("window_years", []).append("The window is at least 1 year.")
    if not isinstance(recent_months, int) or recent_months < 1:
        errors.setdefault("recent_months", []).append("Recent means at least 1 month.")
    note = (note or "").strip()
    if not note:
        errors.setdefault("note", []).append("Say why this version is made.")
    if errors:
        raise ValidationError(errors)
    # One writer at a time picks the next number: two admins saving at once get 2 and 3.
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE intel_scoreconfig IN SHARE ROW EXCLUSIVE MODE")
    latest = ScoreConfig.objects.aggregate(v=Max("version"))["v"] or 0
    config = ScoreConfig.objects.create(
        version=latest + 1,
        weights=cleaned,
        window_years=window_years,
        recent_months=recent_months,
        count_victimisation=count_victimisation,
        note=note,
        created_by=actor,
    )
    audit.audit_log(
        actor=actor,
        action="priority.score_config_create",
        obj=config,
        version=config.version,
        weights=cleaned,
        window_years=window_years,
        recent_months=recent_months,
        count_victimisation=count_victimisation,
    )
    return config


@dataclass(frozen=True)
class _Cutoffs:
    window: datetime
    recent: datetime
    today: date


def months_back(moment: datetime, months: int) -> datetime:
    """The same moment ``months`` calendar months earlier (the 31st becomes the month's last
    day when the month is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _cutoffs(config: ScoreConfig, now: datetime) -> _Cutoffs:
    return _Cutoffs(
        window=months_back(now, 12 * config.window_years),
        recent=months_back(now, config.recent_months),
        today=timezone.localdate(now),
    )


# One CTE per factor: (person_id, n, recs) with recs a JSON array of {type, id}, newest first.
# ``{scope}`` narrows each to the people asked for (``person_ids``), on the column that names
# the person.
FACTOR_CTES = """
violent_arrests AS (
    SELECT a.person_id, count(*) AS n,
           jsonb_agg(jsonb_build_object('type', 'arrest', 'id', a.id)
                     ORDER BY a.arrested_at DESC, a.id DESC) AS recs
    FROM intel_arrest a
    WHERE a.person_id IS NOT NULL AND a.arrested_at >= %(window)s {scope_a}
      AND EXISTS (SELECT 1 FROM intel_arrestcharge c
                  WHERE c.arrest_id = a.id AND c.category = 'violent')
    GROUP BY a.person_id
),
person_incidents AS (
    SELECT DISTINCT a.person_id, i.id, i.occurred_at, i.category, i.firearm
    FROM intel_arrest a JOIN intel_incident i ON i.id = a.incident_id
    WHERE a.person_id IS NOT NULL AND i.occurred_at >= %(window)s {scope_a}
),
violent_incidents AS (
    SELECT pi.person_id, count(*) AS n,
           jsonb_agg(jsonb_build_object('type', 'incident', 'id', pi.id)
                     ORDER BY pi.occurred_at DESC, pi.id DESC) AS recs
    FROM person_incidents pi
    WHERE pi.category = 'violent'
       OR EXISTS (SELECT 1 FROM intel_incidentoffense o
                  WHERE o.incident_id = pi.id AND o.category = 'violent')
    GROUP BY pi.person_id
),
firearm AS (
    SELECT f.person_id, count(*) AS n,
           jsonb_agg(jsonb_build_object('type', f.kind, 'id', f.id)
                     ORDER BY f.at DESC, f.kind, f.id DESC) AS recs
    FROM (
        SELECT a.person_id, 'arrest' AS kind, a.id, a.arrested_at AS at
        FROM intel_arrest a
        WHERE a.person_id IS NOT NULL AND a.arrested_at >= %(window)s {scope_a}
          AND EXISTS (SELECT 1 FROM intel_arrestcharge c
                      WHERE c.arrest_id = a.id AND c.category = 'weapons')
        UNION ALL
        SELECT pi.person_id, 'incident', pi.id, pi.occurred_at
        FROM person_incidents pi WHERE pi.firearm
    ) f
    GROUP BY f.person_id
),
recent_arrest AS (
    SELECT DISTINCT ON (a.person_id) a.person_id, 1 AS n,
           jsonb_build_array(jsonb_build_object('type', 'arrest', 'id', a.id)) AS recs
    FROM intel_arrest a
    WHERE a.person_id IS NOT NULL AND a.arrested_at >= %(recent)s {scope_a}
    ORDER BY a.person_id, a.arrested_at DESC, a.id DESC
),
open_cases AS (
    SELECT k.defendant_id AS person_id, count(*) AS n,
           jsonb_agg(jsonb_build_object('type', 'case', 'id', k.id)
                     ORDER BY k.referred_at DESC, k.id DESC) AS recs
    FROM intel_casereferral k
    WHERE k.defendant_id IS NOT NULL AND k.status = ANY(%(open_statuses)s) {scope_k}
    GROUP BY k.defendant_id
),
supervision AS (
    SELECT s.person_id, 1 AS n,
           jsonb_agg(jsonb_build_object('type', 'supervision', 'id', s.id)
                     ORDER BY s.starts_on DESC, s.id DESC) AS recs
    FROM intel_supervisionstatus s
    WHERE s.starts_on <= %(today)s AND (s.ends_on IS NULL OR s.ends_on >= %(today)s) {scope_s}
    GROUP BY s.person_id
),
shooting_victimisation AS (
    SELECT v.person_id, count(*) AS n,
           jsonb_agg(jsonb_build_object('type', 'shooting', 'id', v.id)
                     ORDER BY v.occurred_at DESC, v.id DESC) AS recs
    FROM (
        SELECT sh.victim_id AS person_id, sh.id, sh.occurred_at
        FROM intel_shooting sh
        WHERE sh.victim_id IS NOT NULL AND sh.occurred_at >= %(window)s {scope_sh}
        UNION
        SELECT sv.person_id, sh.id, sh.occurred_at
        FROM intel_shootingvictim sv JOIN intel_shooting sh ON sh.id = sv.shooting_id
        WHERE sv.person_id IS NOT NULL AND sh.occurred_at >= %(window)s {scope_sv}
    ) v
    GROUP BY v.person_id
)"""


def factor_ctes(*, scoped: bool) -> str:
    """The factor CTEs, narrowed to ``%(person_ids)s`` when ``scoped``."""
    if not scoped:
        return FACTOR_CTES.format(scope_a="", scope_k="", scope_s="", scope_sh="", scope_sv="")
    return FACTOR_CTES.format(
        scope_a="AND a.person_id = ANY(%(person_ids)s)",
        scope_k="AND k.defendant_id = ANY(%(person_ids)s)",
        scope_s="AND s.person_id = ANY(%(person_ids)s)",
        scope_sh="AND sh.victim_id = ANY(%(person_ids)s)",
        scope_sv="AND sv.person_id = ANY(%(person_ids)s)",
    )


def _factor_json(name: str) -> str:
    """One element of ``factors``: the value, weight and contribution of a factor, with its
    records (an empty list when it has none)."""
    contribution = f"COALESCE({name}.n, 0) * %(w_{name})s"
    if name == VICTIMISATION:
        contribution = f"CASE WHEN %(count_victimisation)s THEN {contribution} ELSE 0 END"
    return (
        f"jsonb_build_object('name', '{name}', 'value', COALESCE({name}.n, 0), "
        f"'weight', %(w_{name})s::float8, 'contribution', ({contribution})::float8, "
        f"'records', COALESCE({name}.recs, '[]'::jsonb))"
    )


def _contribution(name: str) -> str:
    value = f"COALESCE({name}.n, 0) * %(w_{name})s::float8"
    if name == VICTIMISATION:
        return f"CASE WHEN %(count_victimisation)s THEN {value} ELSE 0 END"
    return value


def _scores_sql(*, scoped: bool) -> str:
    # Every name below is one of SCORE_FACTORS (constants); values travel as parameters.
    people = " UNION ".join(f"SELECT person_id FROM {n}" for n in SCORE_FACTORS)  # noqa: S608
    joins = "\n".join(f"LEFT JOIN {name} ON {name}.person_id = p.id" for name in SCORE_FACTORS)
    factors = ",\n        ".join(_factor_json(name) for name in SCORE_FACTORS)
    score = " + ".join(_contribution(name) for name in SCORE_FACTORS)
    return f"""
CREATE TEMPORARY TABLE priority_scores_new ON COMMIT DROP AS
WITH {factor_ctes(scoped=scoped)},
scored AS ({people})
SELECT p.id AS person_id,
       ({score})::float8 AS score,
       jsonb_build_array(
        {factors}
       ) AS factors
FROM scored JOIN intel_person p ON p.id = scored.person_id AND p.merged_into_id IS NULL
{joins}
"""  # noqa: S608 - constant names only


def _params(config: ScoreConfig, now: datetime, person_ids: list[int] | None) -> dict[str, Any]:
    cut = _cutoffs(config, now)
    params: dict[str, Any] = {
        "window": cut.window,
        "recent": cut.recent,
        "today": cut.today,
        "open_statuses": [str(s) for s in OPEN_CASE_STATUSES],
        "count_victimisation": config.count_victimisation,
        "person_ids": person_ids or [],
    }
    for name in SCORE_FACTORS:
        params[f"w_{name}"] = float(config.weights.get(name, 0))
    return params


BATCH_SETTINGS = "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"


@transaction.atomic
def scores_compute(*, actor: User, person_ids: list[int] | None = None) -> int:
    """Compute every factor of every person (or of ``person_ids`` only) under the version in
    force and store the scores, in a few set-based statements whatever the number of people.
    A person whose factors are all zero gets no row (and loses a row they had under this
    version); rows of older versions are never touched. Returns the number of people scored."""
    config = score_config_current()
    now = timezone.now()
    scoped = person_ids is not None
    params = _params(config, now, person_ids)
    params.update(config_id=config.pk, now=now)
    with connection.cursor() as cursor:
        # One batch over every person: room to hash and sort in memory, and no JIT (compiling
        # this wide statement took seconds, more than it ever saved), for this transaction.
        cursor.execute(BATCH_SETTINGS)
        cursor.execute("DROP TABLE IF EXISTS priority_scores_new")
        cursor.execute(_scores_sql(scoped=scoped), params)
        cursor.execute("SELECT count(*) FROM priority_scores_new")
        scored = cursor.fetchone()[0]
        # Rows whose score and factors did not change are left alone (no rewrite of a million
        # rows a night); ``computed_at`` is when the stored result was last different.
        cursor.execute(
            """
            INSERT INTO intel_priorityscore (config_id, person_id, score, factors, computed_at)
            SELECT %(config_id)s, n.person_id, n.score, n.factors, %(now)s
            FROM priority_scores_new n
            ON CONFLICT (config_id, person_id) DO UPDATE
               SET score = EXCLUDED.score, factors = EXCLUDED.factors,
                   computed_at = EXCLUDED.computed_at
             WHERE intel_priorityscore.score IS DISTINCT FROM EXCLUDED.score
                OR intel_priorityscore.factors IS DISTINCT FROM EXCLUDED.factors
            """,
            params,
        )
        written = cursor.rowcount
        scope = "AND s.person_id = ANY(%(person_ids)s)" if scoped else ""
        cursor.execute(
            f"""
            DELETE FROM intel_priorityscore s
            WHERE s.config_id = %(config_id)s {scope}
              AND NOT EXISTS (SELECT 1 FROM priority_scores_new n WHERE n.person_id = s.person_id)
            """,  # noqa: S608 - a constant clause only
            params,
        )
        removed = cursor.rowcount
        cursor.execute("DROP TABLE priority_scores_new")
    audit.audit_log(
        actor=actor,
        action="priority.scores_compute",
        obj=config,
        version=config.version,
        scoped=len(person_ids) if person_ids is not None else None,
        scored=scored,
        written=written,
        removed=removed,
    )
    return int(scored)
