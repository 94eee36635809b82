"""What every form page shares: bind on POST only, answer 400 when the form is refused."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def posted(request: HttpRequest):
    """The submitted data, or None for a GET (an empty POST is still a bound, invalid form)."""
    return request.POST if request.method == "POST" else None


def form_status(form) -> int:
    """400 for a submitted form with errors, so clients and tests see the refusal; else 200."""
    return 400 if form.is_bound and form.errors else 200


def render_form(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render a page around ``context["form"]`` with the status its state calls for."""
    return render(request, template, context, status=form_status(context["form"]))
