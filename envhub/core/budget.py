"""A time budget for the database work of each web request (ENVHUB_REQUEST_SECONDS).

A synchronous Django process cannot stop a thread safely, so the budget is kept where the time
of a request that asks too much goes: in the database. While a request runs, its connection
stops any statement still running when the budget is spent — PostgreSQL through
`statement_timeout`, SQLite through a progress handler — and a statement that would start
after it is not started. The request then ends with 503 `timeout` (`RequestTimeout`), and the
connection is given back without the budget. Python work is bounded by the input caps and linear
parsers instead (`core.limits`, `catalog.search_query`). A streamed body (downloads) is written
after the request's view returns, outside the budget: it is bounded by the dataset's size.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, connection

from envhub.core.errors import RequestTimeout

# SQLite calls the progress handler every this many virtual-machine steps: a fraction of a
# millisecond, and rarely enough to cost nothing measurable.
SQLITE_STEPS_PER_CHECK = 100_000
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class Budget:
    """An execute wrapper (`connection.execute_wrapper`) that keeps one request's deadline."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.armed = None  # the raw connection the budget was set on

    def spent(self) -> bool:
        return time.monotonic() >= self.deadline

    def __call__(self, execute, sql, params, many, context):
        # Savepoints still end once the budget is spent, so that the transaction around the
        # stopped statement can be rolled back.
        if self.spent() and not str(sql).startswith(TRANSACTION_CONTROL):
            raise RequestTimeout()
        if self.armed is None:
            self._arm(context["connection"])
        try:
            return execute(sql, params, many, context)
        except DatabaseError as error:
            if self.spent():  # interrupted by the budget, not a fault of the statement
                raise RequestTimeout() from error
            raise

    def _arm(self, wrapper) -> None:
        raw = wrapper.connection
        if wrapper.vendor == "sqlite":
            raw.set_progress_handler(lambda: int(self.spent()), SQLITE_STEPS_PER_CHECK)
        elif wrapper.vendor == "postgresql":
            left = max(1, int((self.deadline - time.monotonic()) * 1000))
            raw.execute("SELECT set_config('statement_timeout', %s, false)", [str(left)])
        self.armed = raw

    def disarm(self) -> None:
        raw, self.armed = self.armed, None
        if raw is None:
            return
        try:
            if connection.vendor == "sqlite":
                raw.set_progress_handler(None, 0)
            else:
                raw.execute("RESET statement_timeout")
        except Exception:  # noqa: BLE001 - a broken connection is closed by Django anyway
            pass


class RequestBudgetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        budget = Budget(settings.ENVHUB_REQUEST_SECONDS)
        try:
            with connection.execute_wrapper(budget):
                return self.get_response(request)
        finally:
            budget.disarm()
