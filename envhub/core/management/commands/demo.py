from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "placeholder until the demo module lands"

    def handle(self, *args, **options):
        pass
