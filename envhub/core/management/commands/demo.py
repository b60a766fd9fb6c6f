"""`envhub demo [--seed N]`: build the demo country and its accounts, then show what there is."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from envhub.core.permissions import system_actor
from envhub.demo import accounts as demo_accounts
from envhub.demo import country


class Command(BaseCommand):
    help = ("Create the demo country (facilities, sources, stations, organisations) and one demo "
            "account per role; does nothing if the demo already exists.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=country.DEFAULT_SEED,
            help=f"Seed of the generator; the same seed gives the same country "
                 f"(default {country.DEFAULT_SEED}).",
        )

    def handle(self, *args, seed: int, **options):
        actor = system_actor("envhub demo")
        started = time.perf_counter()
        try:
            report = country.build_country(actor, seed=seed)
            accounts = demo_accounts.ensure_accounts(actor)
        except country.DemoError as error:
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started

        if report.created:
            self.stdout.write(self.style.SUCCESS(
                f"Demo country created (seed {seed}) in {elapsed:.1f} s."
            ))
        else:
            self.stdout.write(self.style.WARNING(
                f"Demo data already exists ('{country.DATA_CENTRE}' is there): nothing was "
                "created. The --seed option has no effect on an existing demo."
            ))

        summary = country.registry_summary()
        self.stdout.write(
            f"Registry: {summary.facilities} facilities in {summary.provinces} provinces; "
            f"sources: {_counts(summary.sources)}; stations: {_counts(summary.stations)}; "
            f"organisations: {_counts(summary.organisations)}."
        )

        self.stdout.write("")
        self.stdout.write("Demo accounts:")
        role_width = max(len(account.role) for account in accounts)
        name_width = max(len(account.username) for account in accounts)
        self.stdout.write(f"  {'role':<{role_width}}  {'user name':<{name_width}}  password")
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<{role_width}}  {account.username:<{name_width}}  "
                f"{account.password}"
            )
        self.stdout.write(
            f"Written to {demo_accounts.accounts_file()} (readable by its owner only)."
        )


def _counts(by_kind: dict[str, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in sorted(by_kind.items())) or "none"
