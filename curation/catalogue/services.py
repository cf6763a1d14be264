"""The DCAT-AP catalogue of public, profiled assets (rendered by the pure `catalogue` module)."""

from urllib.parse import quote

from django.db.models import Prefetch

from curation.catalogue import dcat as catalogue
from curation.manifests.services import sha256_of
from curation.runs import engine
from inventory.locations import LocationError, list_shards, policy_from_settings
from inventory.models import Asset, License

MEDIA_TYPES = {
    "text": "text/plain",
    "jsonl": "application/jsonl",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "parquet": "application/vnd.apache.parquet",
}
COMPRESSED_TYPES = {
    "gz": "application/gzip",
    "bz2": "application/x-bzip2",
    "xz": "application/x-xz",
    "zst": "application/zstd",
}


def _distributions(asset: Asset, base_url: str) -> tuple[catalogue.CatalogueDistribution, ...]:
    try:
        shards = list_shards(asset.location, policy_from_settings())
    except LocationError:
        return ()  # unreadable now: listed without files rather than dropped from the catalogue
    spdx = ",".join(lic.spdx_id for lic in asset.licenses.all()) or asset.license_expression
    media = MEDIA_TYPES[asset.format]
    result = []
    for shard in shards:
        if engine.shard_kind(shard.name, asset.format) != "data":
            continue
        size, sha = sha256_of(shard.location)
        public = (
            shard.location
            if "://" in shard.location
            else f"{base_url}/api/v1/assets/{asset.pk}/files/{quote(shard.name)}"
        )
        result.append(
            catalogue.CatalogueDistribution(
                access_url=f"{base_url}/api/v1/assets/{asset.pk}/",
                download_url=public,
                media_type=media,
                byte_size=size,
                sha256=sha,
                license_spdx=spdx.split(",")[0],
                title=shard.name,
                compress_format=COMPRESSED_TYPES.get(asset.compression, ""),
            )
        )
    return tuple(result)


def render(*, base_url: str, kind: str) -> str:
    """The catalogue as Turtle (`ttl`) or JSON-LD (`jsonld`)."""
    assets = (
        Asset.objects.active()
        .filter(access_level=Asset.AccessLevel.PUBLIC, profile__isnull=False)
        .select_related("organization", "organization__nation")
        .prefetch_related(
            "languages",
            "origin_nations",
            Prefetch("licenses", queryset=License.objects.only("spdx_id")),
        )
        .order_by("pk")
    )
    datasets = [
        catalogue.CatalogueDataset(
            identifier=f"{base_url}/api/v1/assets/{asset.pk}/",
            title=asset.title,
            description=asset.description or asset.title,
            publisher_name=asset.organization.name,
            publisher_uri=f"{base_url}/organizations/{asset.organization.slug}",
            languages=tuple(lang.tag for lang in asset.languages.all()),
            license_spdx=tuple(lic.spdx_id for lic in asset.licenses.all()),
            issued=asset.created_at.date().isoformat(),
            modified=asset.updated_at.date().isoformat(),
            landing_page=f"{base_url}/api/v1/assets/{asset.pk}/",
            distributions=_distributions(asset, base_url),
            keywords=tuple(asset.tags),
            spatial=tuple(n.alpha2 for n in asset.origin_nations.all()),
        )
        for asset in assets
    ]
    graph = catalogue.catalogue_graph(
        uri=f"{base_url}/api/v1/catalogue",
        title="Sovereign Corpus Registry",
        description="Text corpora registered by data stewards, profiled for language coverage.",
        publisher_name="Sovereign Corpus Registry",
        publisher_uri=f"{base_url}/",
        homepage=f"{base_url}/",
        datasets=datasets,
    )
    return catalogue.to_jsonld(graph) if kind == "jsonld" else catalogue.to_turtle(graph)
