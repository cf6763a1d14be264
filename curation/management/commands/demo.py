"""`manage.py demo`: the whole journey on whatever database is configured, then the logins."""

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from curation.coverage import services as coverage
from curation.demo import DEMO_NATION, build_demo, build_demo_manifest
from curation.management.commands.coverage_report import table
from curation.management.commands.profile_asset import summary
from curation.manifests import services as manifest_service
from curation.models import ProfileRun
from curation.runs import services as runs
from inventory.models import Nation

ROLES = {"demo": "admin", "steward": "steward", "reviewer": "ministry reviewer"}


class Command(BaseCommand):
    help = "Load reference data, register and profile the fixture corpora, print the coverage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="", help="one password for every demo login")
        parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for runs")

    def handle(self, *args: Any, password: str, timeout: float, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference_data", stdout=self.stdout)
        result = build_demo(
            passwords={name: password or secrets.token_urlsafe(12) for name in ROLES}
        )
        steward = result.steward
        started = []
        for asset in [*result.registered, *result.existing]:
            run, _ = runs.request_profile(asset=asset, requested_by=steward)
            started.append(run)
        deadline = time.monotonic() + timeout
        for run in started:
            run.refresh_from_db()
            while run.status in ProfileRun.ACTIVE and time.monotonic() < deadline:
                time.sleep(0.5)
                run.refresh_from_db()
            self.stdout.write(summary(run))
        version = build_demo_manifest(steward=steward)
        croissant = (
            Path(settings.BASE_DIR) / "demo-output" / f"{version.manifest.slug}.croissant.json"
        )
        croissant.parent.mkdir(exist_ok=True)
        with croissant.open("w", encoding="utf-8") as handle:
            handle.writelines(
                manifest_service.render_version(version, "croissant", "http://127.0.0.1:8000")
            )
        self.stdout.write(
            f"manifest {version.manifest.slug} v{version.number}: {version.entry_count} files, "
            f"{version.total_bytes:,} bytes, ~{version.total_tokens:,} tokens; "
            f"Croissant written to {croissant}"
        )
        nation = Nation.objects.get(alpha2=DEMO_NATION)
        self.stdout.write("")
        self.stdout.write(table(coverage.refresh_coverage(nation=nation).data))
        self.stdout.write("")
        for username, secret in result.logins.items():
            self.stdout.write(
                self.style.SUCCESS(f"Demo login ({ROLES[username]}): {username} / {secret}")
            )
        self.stdout.write(f"Coverage report page: /reports/{DEMO_NATION}/ (log in as reviewer)")
