"""``/api/v1/problems/<code>/``: what each problem ``type`` of the API means (public)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.lib.errors import ErrorCode


def _error_codes() -> dict[str, str]:
    """Every code of every app's ErrorCode enum (they are all loaded by now) and its text."""
    found, pending = {}, list(ErrorCode.__subclasses__())
    while pending:
        enum = pending.pop()
        pending.extend(enum.__subclasses__())
        for member in enum:
            found.setdefault(member.value, member.label)
    return found


@require_safe
def problem_list(request):
    problems = sorted(_error_codes().items())
    return render(request, "api/problems.html", {"problems": problems})


@require_safe
def problem_detail(request, code: str):
    explanation = _error_codes().get(code)
    if explanation is None:
        raise Http404
    return render(request, "api/problem.html", {"code": code, "explanation": explanation})
