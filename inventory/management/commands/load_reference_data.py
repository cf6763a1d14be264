"""`manage.py load_reference_data`: load nations, languages, speakers and licences."""

from typing import Any

from django.core.management.base import BaseCommand

from inventory.services import load_reference_data


class Command(BaseCommand):
    help = "Load ISO 3166 nations, CLDR languages and populations, and SPDX licences (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_reference_data()
        for name, count in summary.counts.items():
            self.stdout.write(
                f"{name:<17} {count.total:>6} rows  "
                f"(+{count.created} created, ~{count.updated} updated, -{count.deleted} deleted)"
            )
        versions = ", ".join(f"{k} {v}" for k, v in sorted(summary.versions.items()))
        self.stdout.write(f"sources: {versions}")
        if summary.skipped:
            self.stdout.write(
                f"skipped {len(summary.skipped)} CLDR codes no tag parser accepts: "
                + ", ".join(summary.skipped)
            )
        if summary.changed:
            self.stdout.write(self.style.SUCCESS("Reference data loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Reference data already up to date: no change."))
