"""`manage.py demo`: the whole journey on whatever database is configured, then the logins."""

import secrets
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from curation.demo import build_demo


class Command(BaseCommand):
    help = "Load reference data, register the fixture corpora, print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="", help="one password for every demo login")

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference_data", stdout=self.stdout)
        names = ("demo", "steward", "reviewer")
        result = build_demo(
            passwords={name: password or secrets.token_urlsafe(12) for name in names}
        )
        for asset in result.registered:
            self.stdout.write(f"registered  {asset.slug:<32} {asset.location}")
        for asset in result.existing:
            self.stdout.write(f"kept        {asset.slug:<32} {asset.location}")
        for username, secret in result.logins.items():
            role = {"demo": "admin", "steward": "steward", "reviewer": "ministry reviewer"}
            self.stdout.write(
                self.style.SUCCESS(f"Demo login ({role[username]}): {username} / {secret}")
            )
