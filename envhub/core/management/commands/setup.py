"""`envhub setup`: everything `make run` and `make test` need before starting, idempotent."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, collect static files, load reference data and (unless --no-demo) demo data."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Skip the demo data.")

    def handle(self, *args, no_demo=False, verbosity=1, **options):
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("reference", verbosity=verbosity)
        if not no_demo:
            call_command("demo", verbosity=verbosity)
