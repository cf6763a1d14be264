"""factory_boy factories for database state in tests."""

from typing import Any

import factory
from django.contrib.auth import get_user_model

from inventory.models import Asset, Language, Membership, Nation, Organization, StorageGrant

# What every test organisation holds unless a test says otherwise: all of the `storage_root`
# fixture's root (tests of the grant rule itself give narrower grants, or none).
DEFAULT_STORAGE = [("root", "test", "")]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    nation = factory.LazyFunction(lambda: Nation.objects.get(alpha2="KE"))
    kind = Organization.Kind.LIBRARY

    @factory.post_generation
    def storage(
        self, create: bool, extracted: list[tuple[str, str, str]] | None, **kwargs: object
    ) -> None:
        """`OrganizationFactory(storage=[("s3", "", "bucket/prefix")])`; `storage=[]` for none."""
        if create:
            for kind, root, prefix in DEFAULT_STORAGE if extracted is None else extracted:
                StorageGrantFactory(organization=self, kind=kind, root=root, prefix=prefix)


class StorageGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorageGrant
        django_get_or_create = ["organization", "kind", "root", "prefix"]

    organization = factory.SubFactory("tests.factories.OrganizationFactory", storage=[])
    kind = StorageGrant.Kind.ROOT
    root = "test"
    prefix = ""


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.STEWARD


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Corpus {n}")
    slug = factory.Sequence(lambda n: f"corpus-{n}")
    location = "test:corpus/news.jsonl"
    format = Asset.Format.JSONL
    text_field = "text"
    license_expression = "CC-BY-4.0"
    license_class = "open-attribution"
    access_level = Asset.AccessLevel.RESTRICTED
    registered_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def languages(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            self.languages.set(Language.objects.filter(tag__in=extracted or ["sw"]))


def profiled(
    asset: Asset,
    tokens: dict[str, int],
    *,
    statuses: dict[str, str] | None = None,
    duplicate_documents: int = 0,
    documents: int = 1000,
) -> Any:
    """Give `asset` a stored profile with these tokens per language (as a finished run would)."""
    from django.utils import timezone

    from curation.models import AssetProfile, ProfileLanguage, ProfileRun

    run = ProfileRun.objects.create(asset=asset, options={}, status="succeeded", shards_total=1)
    total = sum(tokens.values())
    rows = [
        {
            "language": tag,
            "status": (statuses or {}).get(tag, "detected"),
            "documents": documents * n // max(total, 1),
            "characters": n * 4,
            "share_documents": n / max(total, 1),
            "share_characters": n / max(total, 1),
            "estimated_tokens": n,
            "members": [],
        }
        for tag, n in tokens.items()
    ]
    profile, _ = AssetProfile.objects.update_or_create(
        asset=asset,
        defaults={
            "run": run,
            "profiled_at": timezone.now(),
            "documents": documents,
            "characters": total * 4,
            "words": total,
            "estimated_tokens": total,
            "duplicate_documents": duplicate_documents,
            "uncompressed_bytes": total * 4,
            "complete": True,
            "data": {"languages": rows},
        },
    )
    profile.languages.all().delete()
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(
            profile=profile,
            **{k: v for k, v in row.items() if k != "members"},
        )
        for row in rows
    )
    Asset.objects.filter(pk=asset.pk).update(status="profiled")
    return profile
