"""The survey pages (thin: they call `workflow` and render)."""

from __future__ import annotations

from django.shortcuts import render

from envhub.surveys import workflow


def submission_page(request, submission_id: int):
    item = workflow.submission(request.actor, submission_id)
    return render(request, "surveys/submission.html", {"submission": item})
