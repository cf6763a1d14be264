"""`manage.py create_api_token`: a scoped, expiring token for a pipeline, printed once."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inventory.auth import TOKEN_MAX_LIFETIME
from inventory.management.commands._assets import acting_user
from inventory.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user (stored hashed: the token is shown only now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument("--days", type=int, default=90, help="days until it expires")

    def handle(self, *args: Any, user: str, name: str, scope: str, days: int, **o: Any) -> None:
        if not 1 <= days <= TOKEN_MAX_LIFETIME.days:
            raise CommandError(f"--days must be between 1 and {TOKEN_MAX_LIFETIME.days}")
        row, token = ApiToken.objects.create(
            acting_user(user), expiry=timedelta(days=days), name=name, scope=scope
        )
        self.stderr.write(f"Token '{name}' ({scope}) for {user}, expires {row.expiry:%Y-%m-%d}:")
        self.stdout.write(token)
