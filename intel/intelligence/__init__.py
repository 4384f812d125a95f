"""The 28 CFR Part 23 workflow: intelligence records, groups and memberships, challenges.
Every write goes through the services here.

- ``records``: create, submit, approve, revalidate, purge (R1–R4, R9)
- ``identifiers``: non-criminal identifying information (R10)
- ``access``: named readers of restricted records (R5)
- ``sharing``: dissemination and export and its log (R6, R7); ``labels``: the record labels (R8)
- ``groups``: groups and memberships, held to the same rules; ``challenges``: contested entries
- ``selectors``: search, the page lists, the record page and the inspection report (R11); the
  group page, memberships and challenges
- interfaces: ``forms/``, ``views/``, ``urls``, ``tasks`` (retention)

Import the record workflow from here: ``from intel.intelligence import intel_record_create``.
"""

from intel.intelligence.access import (
    grantable_users,
    intel_record_grant,
    intel_record_readers,
    intel_record_revoke,
    may_grant,
)
from intel.intelligence.identifiers import IdentifierInput, intel_identifier_add
from intel.intelligence.labels import LABEL_NAMES, Labels, record_labels
from intel.intelligence.records import (
    SCREEN_TERMS,
    UNLAWFUL,
    _destroy_content,
    _review_due,
    check_screen_attestation,
    intel_record_approve,
    intel_record_create,
    intel_record_purge,
    intel_record_revalidate,
    intel_record_submit,
    intel_records_purge_expired,
    screen_text,
)
from intel.intelligence.selectors import (
    RecordDetail,
    Tab,
    intel_record_detail,
    intel_record_get,
    intel_record_list,
    intel_record_search,
    intel_record_tabs,
    intel_report_rows,
)
from intel.intelligence.sharing import (
    CAVEAT,
    EXPORT_HEADER,
    intel_record_disseminate,
    intel_record_export,
    may_receive,
)

__all__ = [
    "CAVEAT",
    "EXPORT_HEADER",
    "LABEL_NAMES",
    "SCREEN_TERMS",
    "UNLAWFUL",
    "IdentifierInput",
    "Labels",
    "RecordDetail",
    "Tab",
    "_destroy_content",
    "_review_due",
    "check_screen_attestation",
    "grantable_users",
    "intel_identifier_add",
    "intel_record_approve",
    "intel_record_create",
    "intel_record_detail",
    "intel_record_disseminate",
    "intel_record_export",
    "intel_record_get",
    "intel_record_grant",
    "intel_record_list",
    "intel_record_purge",
    "intel_record_readers",
    "intel_record_revalidate",
    "intel_record_revoke",
    "intel_record_search",
    "intel_record_submit",
    "intel_record_tabs",
    "intel_records_purge_expired",
    "intel_report_rows",
    "may_grant",
    "may_receive",
    "record_labels",
    "screen_text",
]
