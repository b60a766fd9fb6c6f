"""The news app's periodic jobs (the worker imports `<app>.jobs`)."""

from envhub.news import bulletin_jobs  # noqa: F401 - registers the bulletins' job
