"""Asset.objects.visible_to: exactly the assets each kind of user saw when it joined origin nations
and took DISTINCT, each once, now without either."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from rest_framework.test import APIClient

from inventory.models import Asset, Membership, Nation, Organization
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL = {
    "ke_public",
    "ke_restricted",
    "ministry_ke_own",
    "ng_public",
    "ng_restricted",
    "ng_confidential_of_ke_origin",
    "ke_of_ke_and_tz_origin",
    "za_of_tz_origin",
    "za_restricted",
}
PUBLIC = {"ke_public", "ng_public"}
KENYAN = {
    "ke_restricted",
    "ministry_ke_own",
    "ng_confidential_of_ke_origin",
    "ke_of_ke_and_tz_origin",
}
EXPECTED = {
    "anonymous": set(),
    "outsider": PUBLIC,
    "member_ke": PUBLIC | {"ke_restricted", "ke_of_ke_and_tz_origin"},
    "member_of_two": PUBLIC
    | {"ke_restricted", "ke_of_ke_and_tz_origin", "za_of_tz_origin", "za_restricted"},
    "reviewer_ke": PUBLIC | KENYAN,
    "reviewer_ke_and_tz": PUBLIC | KENYAN | {"za_of_tz_origin"},
    "steward_of_ministry": PUBLIC | {"ministry_ke_own"},
    "reviewer_of_a_library": PUBLIC | {"ng_restricted", "ng_confidential_of_ke_origin"},
    "staff": ALL,
}


@pytest.fixture
def world() -> dict[str, Any]:
    ke, ng, tz, za = (Nation.objects.get(alpha2=c) for c in ("KE", "NG", "TZ", "ZA"))
    lib_ke = OrganizationFactory(slug="lib-ke", nation=ke)
    lib_ng = OrganizationFactory(slug="lib-ng", nation=ng)
    lib_za = OrganizationFactory(slug="lib-za", nation=za)
    ministry = Organization.Kind.MINISTRY
    ministry_ke = OrganizationFactory(slug="ict-ke", nation=ke, kind=ministry)
    ministry_tz = OrganizationFactory(slug="ict-tz", nation=tz, kind=ministry)

    def asset(organization: Organization, access: str, origins: list[Nation]) -> Asset:
        made = AssetFactory(organization=organization, access_level=access)
        made.origin_nations.set(origins)
        return made

    assets = {
        "ke_public": asset(lib_ke, "public", [ke]),
        "ke_restricted": asset(lib_ke, "restricted", []),
        "ministry_ke_own": asset(ministry_ke, "restricted", []),
        "ng_public": asset(lib_ng, "public", [ke, ng]),
        "ng_restricted": asset(lib_ng, "restricted", [ng]),
        "ng_confidential_of_ke_origin": asset(lib_ng, "confidential", [ke]),
        # Three origin rows, two of them nations a reviewer reads: a join would give it thrice.
        "ke_of_ke_and_tz_origin": asset(lib_ke, "restricted", [ke, tz, ng]),
        "za_of_tz_origin": asset(lib_za, "restricted", [tz, za]),
        "za_restricted": asset(lib_za, "restricted", []),
    }
    reviewer = Membership.Role.REVIEWER
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "member_ke": MembershipFactory(organization=lib_ke).user,
        "reviewer_ke": MembershipFactory(organization=ministry_ke, role=reviewer).user,
        "reviewer_ke_and_tz": MembershipFactory(organization=ministry_ke, role=reviewer).user,
        "steward_of_ministry": MembershipFactory(organization=ministry_ke).user,
        "reviewer_of_a_library": MembershipFactory(organization=lib_ng, role=reviewer).user,
        "staff": UserFactory(is_staff=True),
    }
    users["member_of_two"] = MembershipFactory(organization=lib_ke).user
    MembershipFactory(user=users["member_of_two"], organization=lib_za)
    MembershipFactory(user=users["reviewer_ke_and_tz"], organization=ministry_tz, role=reviewer)
    return {"assets": assets, "users": users}


def visible_before(user: Any) -> set[int]:
    """The rule as it was written before, with a join to origin nations and DISTINCT."""
    if not user.is_authenticated:
        return set()
    if user.is_staff:
        return set(Asset.objects.values_list("pk", flat=True))
    memberships = Membership.objects.filter(user=user)
    reviewed_nations = memberships.filter(
        role=Membership.Role.REVIEWER, organization__kind=Organization.Kind.MINISTRY
    ).values("organization__nation_id")
    rows = Asset.objects.filter(
        Q(access_level=Asset.AccessLevel.PUBLIC)
        | Q(organization_id__in=memberships.values("organization_id"))
        | Q(organization__nation_id__in=reviewed_nations)
        | Q(origin_nations__in=reviewed_nations)
    ).distinct()
    return set(rows.values_list("pk", flat=True))


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_visible_to_returns_exactly_the_assets_it_returned_before(
    world: dict[str, Any], actor: str
) -> None:
    user = world["users"][actor]
    ids = {name: asset.pk for name, asset in world["assets"].items()}

    visible = list(Asset.objects.visible_to(user).values_list("pk", flat=True))

    assert sorted(visible) == sorted(ids[name] for name in EXPECTED[actor])
    assert set(visible) == visible_before(user)


@pytest.mark.parametrize("actor", ["reviewer_ke", "reviewer_ke_and_tz", "member_of_two"])
def test_an_asset_of_several_matching_origin_nations_is_listed_once(
    world: dict[str, Any], actor: str
) -> None:
    user = world["users"][actor]
    asset = world["assets"]["ke_of_ke_and_tz_origin"]

    visible = list(Asset.objects.visible_to(user).values_list("pk", flat=True))

    assert visible.count(asset.pk) == 1
    assert len(visible) == len(set(visible)) == len(EXPECTED[actor])


@pytest.mark.parametrize("actor", ["outsider", "member_of_two", "reviewer_ke_and_tz", "staff"])
def test_the_visibility_query_has_no_distinct(world: dict[str, Any], actor: str) -> None:
    sql = str(Asset.objects.visible_to(world["users"][actor]).query)

    assert "DISTINCT" not in sql.upper()
    assert 'JOIN "inventory_asset_origin_nations"' not in sql


def test_the_nation_and_language_filters_list_an_asset_once(world: dict[str, Any]) -> None:
    client = APIClient()
    client.force_login(world["users"]["staff"])
    ke_assets = {"ke_public", "ke_restricted", "ministry_ke_own", "ke_of_ke_and_tz_origin"}
    ke_assets |= {"ng_public", "ng_confidential_of_ke_origin"}

    by_nation = client.get("/api/v1/assets/", {"nation": "ke", "page_size": 100}).json()
    by_language = client.get("/api/v1/assets/", {"language": "sw", "page_size": 100}).json()

    ids = {name: asset.pk for name, asset in world["assets"].items()}
    assert sorted(a["id"] for a in by_nation["results"]) == sorted(ids[n] for n in ke_assets)
    assert sorted(a["id"] for a in by_language["results"]) == sorted(ids.values())
