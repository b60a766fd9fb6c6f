from django.core.management.base import BaseCommand

from envhub.core.permissions import system_actor
from envhub.registry.reference import load_all


class Command(BaseCommand):
    help = "Load or update reference data: provinces, wards, parameters, regulations."

    def handle(self, *args, **options):
        report = load_all(system_actor("envhub reference"))
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing"
        updated = ", ".join(f"{n} {kind}" for kind, n in report.updated.items()) or "nothing"
        self.stdout.write(f"Reference data: created {created}; updated {updated}.")
