"""`manage.py import_assets FILE`: register many assets from CSV or JSON Lines, all or nothing."""

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from inventory import services
from inventory.asset_serializers import AssetSerializer
from inventory.management.commands._assets import acting_user, error_text

LIST_FIELDS = ("languages", "origin_nations", "tags")


def read_rows(path: Path) -> list[tuple[int, Any]]:
    """(line number, row) pairs; CSV list cells are separated by ';'."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        rows = []
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError as exc:
                    rows.append((number, exc))
        return rows
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            rows = []
            for number, row in enumerate(csv.DictReader(handle), start=2):
                cleaned: dict[str, Any] = {
                    k: v for k, v in row.items() if k and v not in ("", None)
                }
                for name in LIST_FIELDS:
                    if name in cleaned:
                        cleaned[name] = [v.strip() for v in cleaned[name].split(";") if v.strip()]
                rows.append((number, cleaned))
            return rows
    raise CommandError(f"{path}: give a .csv or .jsonl file")


class Command(BaseCommand):
    help = "Register assets from a CSV or JSON Lines file; any bad row refuses the whole file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the registering steward's username")

    def handle(self, *args: Any, file: Path, user: str, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        actor = acting_user(user)
        valid, problems = [], []
        for number, row in read_rows(file):
            if isinstance(row, Exception) or not isinstance(row, dict):
                problems.append(f"line {number}: not a JSON object ({row})")
                continue
            serializer = AssetSerializer(data=row, context={"user": actor})
            if serializer.is_valid():
                valid.append((number, dict(serializer.validated_data)))
            else:
                problems += [f"line {number}: {e}" for e in error_text(serializer.errors)]
        if problems:
            raise CommandError(
                f"{file}: nothing imported, {len(problems)} problem(s):\n  " + "\n  ".join(problems)
            )
        with transaction.atomic():  # a refusal rolls back what the file registered before it
            for number, data in valid:
                try:
                    services.register_asset(
                        organization=data.pop("organization"), data=data, registered_by=actor
                    )
                except services.StorageRefusal as exc:  # rows overlapping across organisations
                    raise CommandError(
                        f"{file}: nothing imported, line {number}: location: {exc}"
                    ) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {len(valid)} asset(s) from {file}."))
