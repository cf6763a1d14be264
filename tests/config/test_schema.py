from io import StringIO
from pathlib import Path

from django.core.management import call_command

SCHEMA = Path(__file__).resolve().parent.parent / "openapi.yaml"


def test_openapi_schema_matches_the_committed_one() -> None:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)

    assert out.getvalue() == SCHEMA.read_text(), (
        "The API changed: run `make schema`, review tests/openapi.yaml and note it in README "
        "'API changes'."
    )
