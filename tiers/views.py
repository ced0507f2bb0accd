"""Pages: home (the user's scope), a place with its children, the catalogue."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from tiers import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The places at the top of the user's scope, and the roles they hold."""
    return render(
        request,
        "tiers/home.html",
        {
            "roots": selectors.scope_roots(user=request.user),
            "grants": selectors.role_grants(user=request.user),
        },
    )


@login_required
def place_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A place, its ancestors in scope, its children and the units and assignments there. 404 out of scope."""
    place = get_object_or_404(selectors.place_list(user=request.user), code=code)
    return render(request, "tiers/place_detail.html", selectors.place_context(place=place, user=request.user))


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The responsibility list: tiers, duties with clause text, rules and escalations."""
    return render(request, "tiers/catalogue.html", {"tiers": selectors.catalogue_tiers()})
