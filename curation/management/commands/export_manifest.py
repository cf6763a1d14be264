"""`manage.py export_manifest SLUG`: write a manifest version as the API serves it."""

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.manifests import services as manifest_service
from curation.models import Manifest


class Command(BaseCommand):
    help = "Export a manifest version as json, jsonl, csv or croissant."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Django's own --version (the framework's) gives way to the manifest's version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--version", dest="number", default="latest", help="a number or latest")
        parser.add_argument("--format", choices=manifest_service.FORMATS, default="json")
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--base-url", default="", help="default: PUBLIC_BASE_URL")

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = Manifest.objects.filter(slug=options["slug"]).first()
        if manifest is None:
            raise CommandError(f"no manifest {options['slug']!r}")
        number = options["number"]
        if number != "latest" and not number.isdigit():
            raise CommandError("--version: a number or latest")
        version = manifest_service.find_version(manifest, number)
        if version is None:
            raise CommandError(f"no ready version {number} of {manifest.slug!r}")
        base_url = options["base_url"] or settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000"
        chunks = manifest_service.render_version(version, options["format"], base_url)
        if options["output"]:
            with options["output"].open("w", encoding="utf-8", newline="") as handle:
                handle.writelines(chunks)
            self.stderr.write(f"wrote {options['output']} ({manifest.slug} v{version.number})")
        else:
            sys.stdout.writelines(chunks)
