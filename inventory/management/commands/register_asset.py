"""`manage.py register_asset`: register one corpus, with the asset's API names as options."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inventory import services
from inventory.asset_serializers import AssetSerializer
from inventory.management.commands._assets import acting_user, as_json, error_text

SCALAR_OPTIONS = [
    "organization",
    "title",
    "description",
    "location",
    "format",
    "compression",
    "document_unit",
    "text_field",
    "license",
    "hosting_nation",
    "custodian",
    "access_level",
]


class Command(BaseCommand):
    help = "Register a corpus as an asset of an organisation the user stewards."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the registering steward's username")
        for name in SCALAR_OPTIONS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)
        parser.add_argument("--language", action="append", dest="languages", default=[])
        parser.add_argument("--origin", action="append", dest="origin_nations", default=[])
        parser.add_argument("--tag", action="append", dest="tags", default=[])
        parser.add_argument("--json", action="store_true", help="print the asset as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        data = {name: options[name] for name in SCALAR_OPTIONS if options[name] is not None}
        data |= {k: options[k] for k in ("languages", "origin_nations", "tags") if options[k]}
        serializer = AssetSerializer(data=data, context={"user": user})
        if not serializer.is_valid():
            raise CommandError("asset refused:\n  " + "\n  ".join(error_text(serializer.errors)))
        validated = dict(serializer.validated_data)
        try:
            asset = services.register_asset(
                organization=validated.pop("organization"), data=validated, registered_by=user
            )
        except services.StorageRefusal as exc:  # a concurrent registration got there first
            raise CommandError(f"asset refused:\n  location: {exc}") from exc
        if options["json"]:
            self.stdout.write(as_json(asset, user))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Registered asset {asset.pk} '{asset.slug}' of {asset.organization.slug}"
                )
            )
