"""Pages of the roster import (issue 9): so far, the template download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse

from accountability.exports import XLSX_CONTENT_TYPE
from rosters.template import roster_template


@login_required
@permission_required("rosters.add_rosterimport", raise_exception=True)
def template(request: HttpRequest) -> HttpResponse:
    """The roster template with example rows and instructions."""
    response = HttpResponse(roster_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response
