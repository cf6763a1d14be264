"""`manage.py seed_registry N`: a synthetic registry of N profiled assets, for benchmarks."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.seed import seed_registry


class Command(BaseCommand):
    help = (
        "Add N synthetic assets with stored profiles (20 nations, Kenya 30%, half public) for "
        "benchmarks. Never run it on a registry people use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("assets", type=int)
        parser.add_argument("--prefix", default="seed", help="slug prefix (unique per call)")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["assets"] < 1:
            raise CommandError("N must be at least 1")
        try:
            seeded = seed_registry(
                assets=options["assets"], prefix=options["prefix"], seed=options["seed"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"seeded {seeded.assets} assets of {seeded.organizations} organisations "
            f"({seeded.language_rows} language rows) in {seeded.seconds:.1f} s"
        )
