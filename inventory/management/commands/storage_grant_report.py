"""`manage.py storage_grant_report`: the storage conflicts an operator decides on."""

from typing import Any

from django.core.management.base import BaseCommand

from inventory import services


class Command(BaseCommand):
    help = (
        "List grants two organisations share, live assets of different organisations that "
        "overlap, and live assets outside their organisation's grants."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.storage_report()
        sections = [
            ("Grants shared by organisations", report.shared_grants),
            ("Live assets of different organisations that overlap", report.overlapping_assets),
            ("Live assets outside their organisation's grants", report.ungranted_assets),
        ]
        for title, lines in sections:
            if lines:
                self.stdout.write(f"{title} ({len(lines)}):")
                for line in lines:
                    self.stdout.write(f"  {line}")
        if report.clean:
            self.stdout.write(self.style.SUCCESS("No storage conflicts."))
