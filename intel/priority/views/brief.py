"""The prosecutor's brief on a person: the HTML page (with a print stylesheet and a Print button
that records the printing first), and the same template rendered to PDF on the server. Viewing,
printing and downloading are audited by the read audit (``csu.audit_reads``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from csu import audit_reads
from csu.types import AuthedHttpRequest
from intel.models import Person
from intel.people import selectors
from intel.priority.brief import Brief, person_brief
from intel.priority.treatment import ADVICE
from intel.web import get_or_404

READ_BRIEF = ("intel.view_person", "intel.view_prioritydesignation")
TEMPLATE = "intel/priority/brief/detail.html"


def _person(request: AuthedHttpRequest, pk: int) -> Person | HttpResponse:
    """The person, or a redirect to the survivor of a merge (as the person page does)."""
    person = get_or_404(selectors.person_get, actor=request.user, pk=pk)
    if not person.is_merged:
        return person
    survivor = get_or_404(selectors.person_survivor, actor=request.user, person=person)
    messages.info(request, f"Person #{person.pk} was merged into this record; this is its brief.")
    name = request.resolver_match.view_name if request.resolver_match else "intel:person-brief"
    return redirect(name, pk=survivor.pk)


def _context(brief: Brief, *, pdf: bool) -> dict[str, object]:
    return {
        "brief": brief,
        "person": brief.person,
        "profile": brief.profile,
        "designation_caveat": brief.caveat,
        "treatment_advice": ADVICE,
        "pdf": pdf,
        "base_template": "intel/priority/brief/pdf_base.html" if pdf else "base.html",
    }


def _note(request: AuthedHttpRequest, brief: Brief) -> None:
    audit_reads.note(
        request,
        arrests=len(brief.profile.arrests),
        cases=len(brief.profile.cases),
        intel_records=[c.obj.pk for c in brief.intel],
        designation=brief.designation.designation.pk if brief.designation else None,
    )


@require_GET
@permission_required(READ_BRIEF, raise_exception=True)
def person_brief_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = _person(request, pk)
    if isinstance(found, HttpResponse):
        return found
    brief = person_brief(actor=request.user, person=found)
    _note(request, brief)
    return render(request, TEMPLATE, _context(brief, pdf=False))


@require_GET
@permission_required(READ_BRIEF, raise_exception=True)
def person_brief_pdf_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = _person(request, pk)
    if isinstance(found, HttpResponse):
        return found
    brief = person_brief(actor=request.user, person=found)
    _note(request, brief)
    html = render_to_string(TEMPLATE, _context(brief, pdf=True), request=request)
    # WeasyPrint loads its own stylesheets on import: only the PDF view pays for it.
    from intel.priority.pdf import html_to_pdf

    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="brief-{found.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required(READ_BRIEF, raise_exception=True)
def person_brief_printed_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The Print button calls this before the browser's print dialog: the read audit records
    ``brief.printed`` for the person. Nothing else happens."""
    get_or_404(selectors.person_get, actor=request.user, pk=pk)
    return HttpResponse(status=204)
