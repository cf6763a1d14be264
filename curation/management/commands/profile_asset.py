"""`manage.py profile_asset ASSET`: start (or join) a profiling run, optionally wait for it."""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from curation.models import ProfileRun
from curation.runs import services as runs
from curation.runs.serializers import ProfileRunSerializer
from inventory.management.commands._assets import acting_user
from inventory.models import Asset


def find_asset(reference: str) -> Asset:
    """An asset by id or by `organisation-slug/asset-slug`."""
    query = Asset.objects.select_related("organization")
    try:
        if reference.isdigit():
            return query.get(pk=int(reference))
        organization, _, slug = reference.partition("/")
        return query.get(organization__slug=organization, slug=slug)
    except Asset.DoesNotExist as exc:
        raise CommandError(f"no asset {reference!r} (give an id or organisation/slug)") from exc


class Command(BaseCommand):
    help = "Profile an asset: in-process without a broker, through workers with one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("asset", help="asset id or organisation-slug/asset-slug")
        parser.add_argument("--wait", action="store_true", help="wait for the run to finish")
        parser.add_argument("--sample", type=int, default=None, help="documents to label")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--user", default=None, help="who requests it (default: nobody)")
        parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait")
        parser.add_argument("--json", action="store_true", help="print the run as the API does")

    def handle(self, *args: Any, **options: Any) -> None:
        asset = find_asset(options["asset"])
        user = acting_user(options["user"]) if options["user"] else None
        try:
            run, created = runs.request_profile(
                asset=asset, requested_by=user, sample_size=options["sample"], seed=options["seed"]
            )
        except runs.ProfileRequestError as exc:
            raise CommandError(str(exc)) from exc
        if not created:
            self.stderr.write(f"run {run.pk} of this asset is already active: following it")
        if options["wait"]:
            run = self._wait(run, options["timeout"], quiet=options["json"])
        run = ProfileRun.objects.prefetch_related("shards").get(pk=run.pk)
        if options["json"]:
            self.stdout.write(json.dumps(ProfileRunSerializer(run).data, indent=2, default=str))
        else:
            self.stdout.write(summary(run))
        if run.status == ProfileRun.Status.FAILED:
            raise CommandError(f"run {run.pk} failed: {run.error_code}: {run.error_message}")

    def _wait(self, run: ProfileRun, timeout: float, *, quiet: bool) -> ProfileRun:
        deadline = time.monotonic() + timeout
        with tqdm(total=run.shards_total, unit="shard", disable=quiet, file=self.stderr) as bar:
            while True:
                run.refresh_from_db()
                bar.n = run.shards_done + run.shards_failed
                bar.refresh()
                if run.status not in ProfileRun.ACTIVE:
                    return run
                if time.monotonic() > deadline:
                    raise CommandError(f"run {run.pk} still {run.status} after {timeout:g} s")
                time.sleep(0.5)


def summary(run: ProfileRun) -> str:
    """One line: the asset, the run's outcome and, when profiled, its main figures."""
    head = f"{run.asset.organization.slug}/{run.asset.slug}: run {run.pk} {run.status}"
    if run.status != ProfileRun.Status.SUCCEEDED or not run.result:
        return f"{head} ({run.shards_done + run.shards_failed}/{run.shards_total} shards)"
    totals = run.result["totals"]
    languages = ", ".join(
        f"{row['language']} {row['share_characters']:.0%}" for row in run.result["languages"][:4]
    )
    flags = f" [{'; '.join(run.result['flags'])}]" if run.result["flags"] else ""
    near = run.result.get("near_duplicates")
    duplicates = f"; exact duplicates {totals['duplicate_documents']:,} documents"
    if near:
        duplicates += f", near-duplicates ~{near['share']:.1%} of documents"
    return (
        f"{head}: {totals['documents']:,} documents, {totals['characters']:,} characters, "
        f"~{totals['estimated_tokens']:,} tokens; {languages}{duplicates}{flags}"
    )
