"""`manage.py export_catalogue`: the DCAT-AP 3.0 catalogue of public assets."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from curation.catalogue import services as catalogue_service


class Command(BaseCommand):
    help = "Export the DCAT-AP catalogue of public, profiled assets as Turtle or JSON-LD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["ttl", "jsonld"], default="ttl")
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--base-url", default="", help="default: PUBLIC_BASE_URL")

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["base_url"] or settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000"
        text = catalogue_service.render(base_url=base_url, kind=options["format"])
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
