"""What follows an asset's life-cycle events: the one place that decides which run to start and
which nations' coverage to refresh when an asset is registered, changed, transferred or retired,
or when a profile is stored. Views, tasks and the admin call it; no domain imports another's
tasks."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from curation.coverage import services as coverage
from curation.runs import services as runs
from curation.runs.models import ProfileRun
from inventory.models import Asset

# Changing these changes what is read, so a new profile is queued.
PROFILED_FIELDS = ("location", "format", "compression", "document_unit", "text_field")


@dataclass(frozen=True)
class AssetState:
    """What an asset's followers depend on, taken before a change: what is read and the
    nations whose reports it feeds."""

    read: tuple[Any, ...]
    nations: frozenset[str]


def state_of(asset: Asset) -> AssetState:
    """The asset's state now, to compare with after a change."""
    return AssetState(
        read=tuple(getattr(asset, name) for name in PROFILED_FIELDS),
        nations=frozenset(n.alpha2 for n in coverage.nations_of_asset(asset)),
    )


def _profile_if_readable(asset: Asset, actor: Any) -> ProfileRun | None:
    """Start a run; an unreadable location leaves the asset registered (a later explicit
    request says why)."""
    try:
        run, _ = runs.request_profile(asset=asset, requested_by=actor)
    except runs.ProfileRequestError:
        return None
    return run


def asset_registered(*, asset: Asset, actor: Any) -> ProfileRun | None:
    """A new asset is profiled at once when PROFILE_ON_REGISTER is on (the default); the run
    refreshes coverage when its profile is stored."""
    if not settings.PROFILE_ON_REGISTER:
        return None
    return _profile_if_readable(asset, actor)


def asset_changed(*, asset: Asset, before: AssetState, actor: Any) -> ProfileRun | None:
    """After an edit or a transfer: refresh the reports of the nations the asset fed before and
    feeds now; re-profile when what is read changed."""
    after = state_of(asset)
    coverage.schedule_refresh(sorted(before.nations | after.nations))
    if after.read != before.read and asset.status != Asset.Status.RETIRED:
        return _profile_if_readable(asset, actor)
    return None


def asset_retired(*, asset: Asset) -> None:
    """A retired asset stops counting: refresh the reports it fed."""
    coverage.schedule_refresh(sorted(state_of(asset).nations))


def profile_stored(*, run: ProfileRun) -> None:
    """A run stored the asset's new profile: refresh the reports it feeds."""
    coverage.schedule_refresh(sorted(state_of(run.asset).nations))
