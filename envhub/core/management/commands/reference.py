from django.core.management.base import BaseCommand

from envhub.core.permissions import system_actor
from envhub.core.reference import load_all


class Command(BaseCommand):
    help = ("Load reference data (provinces, wards, parameters, regulations): nothing while the "
            "data files are unchanged; after an upgrade, only what is missing. Stewards' edits "
            "are kept unless --update is given.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true",
            help="Overwrite reference rows from the data files (audited, one event per changed "
                 "row), re-creating deleted aliases; provinces' abbreviations are kept.")

    def handle(self, *args, update=False, **options):
        report = load_all(system_actor("envhub reference"), update=update)
        if report.up_to_date:
            self.stdout.write("Reference data up to date.")
            return
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing"
        updated = ", ".join(f"{n} {kind}" for kind, n in report.updated.items()) or "nothing"
        self.stdout.write(f"Reference data: created {created}; updated {updated}.")
