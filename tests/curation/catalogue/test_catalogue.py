"""Tests of the DCAT-AP 3.0 catalogue rendering: SHACL conformance, vocabulary, serialisations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from curation.catalogue.dcat import (
    SPDX,
    CatalogueDataset,
    CatalogueDistribution,
    catalogue_graph,
    country_uri,
    language_uri,
    media_type_uri,
    to_jsonld,
    to_turtle,
)

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

REPO = Path(__file__).resolve().parents[3]
SHAPES_PARTS = ("dcat-ap-3.0.0", "dcat-ap-SHACL.ttl")
LANG = "http://publications.europa.eu/resource/authority/language/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
IANA = "https://www.iana.org/assignments/media-types/"
BASE = "https://registry.example.org"
SHA = "0123456789abcdef" * 4
SH = ns.Namespace("http://www.w3.org/ns/shacl#")


def shapes_path() -> Path:
    """`../shared/data/dcat-ap-3.0.0/…` beside the clone, else under `$SHARED_DATA`; skip if
    absent."""
    candidates = [REPO.parent / "shared" / "data"]
    if os.environ.get("SHARED_DATA"):
        env = Path(os.environ["SHARED_DATA"])
        candidates += [env, env / "data"]
    for base in candidates:
        path = base.joinpath(*SHAPES_PARTS)
        if path.exists():
            return path
    pytest.skip(
        "DCAT-AP 3.0 SHACL shapes (dcat-ap-3.0.0/dcat-ap-SHACL.ttl) not found in ../shared/data "
        "beside the repository or in $SHARED_DATA"
    )


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def validate(graph: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    """pySHACL with RDFS inference, as the shapes' documentation asks."""
    pyshacl = pytest.importorskip("pyshacl")
    conforms, results, text = pyshacl.validate(
        graph, shacl_graph=shapes, inference="rdfs", abort_on_first=False, meta_shacl=False
    )
    return bool(conforms), results, str(text)


JSONL = CatalogueDistribution(
    access_url=f"{BASE}/api/v1/assets/1/",
    download_url=f"{BASE}/api/v1/assets/1/files/part-0.jsonl.gz",
    media_type="application/jsonlines",
    byte_size=1234,
    sha256=SHA,
    license_spdx="CC-BY-4.0",
    title="part-0.jsonl.gz",
    compress_format="application/gzip",
)
PARQUET = CatalogueDistribution(
    access_url=f"{BASE}/api/v1/assets/2/",
    download_url="",
    media_type="application/x-parquet",
    byte_size=0,
    sha256="",
    license_spdx="",
    title="",
)
SWAHILI = CatalogueDataset(
    identifier=f"{BASE}/assets/swahili-news",
    title="Swahili news",
    description="Ten years of Swahili newspaper text.",
    publisher_name="Demo National Library",
    publisher_uri=f"{BASE}/organizations/demo-library",
    languages=("sw", "en"),
    license_spdx=("CC-BY-4.0",),
    issued="2024-01-02",
    modified="2025-03-04T05:06:07+00:00",
    landing_page=f"{BASE}/assets/swahili-news/",
    distributions=(JSONL,),
    keywords=("news", "Swahili"),
    spatial=("KE", "TZ"),
)
YORUBA = CatalogueDataset(
    identifier=f"{BASE}/assets/yoruba-web",
    title="Yoruba web",
    description="",
    publisher_name="Lagos Archive",
    publisher_uri=f"{BASE}/organizations/lagos-archive",
    languages=("yo", "und"),
    license_spdx=("MIT OR Apache-2.0",),
    issued="",
    modified="",
    landing_page="",
    distributions=(PARQUET,),
    keywords=(),
    spatial=("NG", "XX"),
)


def build(datasets: tuple[CatalogueDataset, ...] = (SWAHILI, YORUBA)) -> Graph:
    return catalogue_graph(
        uri=f"{BASE}/api/v1/catalogue",
        title="Sovereign Corpus Registry",
        description="Public text corpora held by the nation, in its own languages.",
        publisher_name="Registry operator",
        publisher_uri=f"{BASE}/organizations/operator",
        homepage=f"{BASE}/",
        datasets=datasets,
    )


def test_catalogue_conforms_to_dcat_ap_shapes(shapes: Graph) -> None:
    conforms, _, report = validate(build(), shapes)
    assert conforms, report


def test_empty_catalogue_conforms(shapes: Graph) -> None:
    conforms, _, report = validate(build(()), shapes)
    assert conforms, report


@pytest.mark.parametrize(
    ("subject", "predicate"),
    [
        (f"{BASE}/assets/swahili-news", ns.DCTERMS.title),
        (f"{BASE}/api/v1/catalogue", ns.DCTERMS.publisher),
        (f"{BASE}/assets/swahili-news/distribution/1", ns.DCAT.accessURL),
        (f"{BASE}/organizations/demo-library", ns.FOAF.name),
    ],
)
def test_shapes_report_a_missing_mandatory_property(
    shapes: Graph, subject: str, predicate: URIRef
) -> None:
    graph = build()
    graph.remove((URIRef(subject), predicate, None))
    conforms, results, report = validate(graph, shapes)
    assert not conforms
    violations = {
        (results.value(r, SH.focusNode), results.value(r, SH.resultPath))
        for r in results.subjects(ns.RDF.type, SH.ValidationResult)
    }
    assert violations == {(URIRef(subject), predicate)}, report


def test_dataset_vocabulary() -> None:
    graph = build()
    ds = URIRef(f"{BASE}/assets/swahili-news")
    catalog = URIRef(f"{BASE}/api/v1/catalogue")
    assert set(graph.objects(catalog, ns.DCAT.dataset)) == {ds, URIRef(f"{BASE}/assets/yoruba-web")}
    assert (catalog, ns.FOAF.homepage, URIRef(f"{BASE}/")) in graph
    assert graph.value(ds, ns.DCTERMS.title) == Literal("Swahili news")
    assert graph.value(ds, ns.DCTERMS.identifier) == Literal(f"{BASE}/assets/swahili-news")
    publisher = graph.value(ds, ns.DCTERMS.publisher)
    assert publisher == URIRef(f"{BASE}/organizations/demo-library")
    assert (publisher, ns.RDF.type, ns.FOAF.Agent) in graph
    assert graph.value(publisher, ns.FOAF.name) == Literal("Demo National Library")
    assert set(graph.objects(ds, ns.DCTERMS.language)) == {
        URIRef(LANG + "SWA"),
        URIRef(LANG + "ENG"),
    }
    for language in graph.objects(ds, ns.DCTERMS.language):
        assert (language, ns.RDF.type, ns.DCTERMS.LinguisticSystem) in graph
    assert set(graph.objects(ds, ns.DCTERMS.spatial)) == {
        URIRef(COUNTRY + "KEN"),
        URIRef(COUNTRY + "TZA"),
    }
    assert graph.value(ds, ns.DCTERMS.issued) == Literal("2024-01-02", datatype=ns.XSD.date)
    assert graph.value(ds, ns.DCTERMS.modified) == Literal(
        "2025-03-04T05:06:07+00:00", datatype=ns.XSD.dateTime
    )
    assert set(graph.objects(ds, ns.DCAT.keyword)) == {Literal("news"), Literal("Swahili")}
    assert (ds, ns.DCAT.landingPage, URIRef(f"{BASE}/assets/swahili-news/")) in graph
    cc_by = URIRef("http://spdx.org/licenses/CC-BY-4.0")
    assert (ds, ns.DCTERMS.license, cc_by) in graph
    assert (cc_by, ns.RDF.type, ns.DCTERMS.LicenseDocument) in graph


def test_distribution_vocabulary() -> None:
    graph = build()
    dist = URIRef(f"{BASE}/assets/swahili-news/distribution/1")
    assert (URIRef(f"{BASE}/assets/swahili-news"), ns.DCAT.distribution, dist) in graph
    assert (dist, ns.RDF.type, ns.DCAT.Distribution) in graph
    assert graph.value(dist, ns.DCAT.accessURL) == URIRef(f"{BASE}/api/v1/assets/1/")
    assert graph.value(dist, ns.DCAT.downloadURL) == URIRef(
        f"{BASE}/api/v1/assets/1/files/part-0.jsonl.gz"
    )
    assert graph.value(dist, ns.DCAT.mediaType) == URIRef(IANA + "application/jsonlines")
    assert graph.value(dist, ns.DCAT.compressFormat) == URIRef(IANA + "application/gzip")
    assert graph.value(dist, ns.DCAT.byteSize) == Literal(1234, datatype=ns.XSD.nonNegativeInteger)
    assert graph.value(dist, ns.DCTERMS.license) == URIRef("http://spdx.org/licenses/CC-BY-4.0")
    checksum = graph.value(dist, SPDX.checksum)
    assert (checksum, ns.RDF.type, SPDX.Checksum) in graph
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert graph.value(checksum, SPDX.checksumValue) == Literal(SHA, datatype=ns.XSD.hexBinary)

    parquet = URIRef(f"{BASE}/assets/yoruba-web/distribution/1")
    assert graph.value(parquet, ns.DCAT.mediaType) == URIRef(
        IANA + "application/vnd.apache.parquet"
    )
    assert graph.value(parquet, SPDX.checksum) is None
    assert graph.value(parquet, ns.DCAT.downloadURL) is None
    # The dataset's only licence, an expression, is a labelled licence document.
    licence = graph.value(parquet, ns.DCTERMS.license)
    assert (licence, ns.RDF.type, ns.DCTERMS.LicenseDocument) in graph
    assert graph.value(licence, ns.RDFS.label) == Literal("MIT OR Apache-2.0")
    yoruba = URIRef(f"{BASE}/assets/yoruba-web")
    assert graph.value(yoruba, ns.DCTERMS.description) == Literal("Yoruba web")  # title fallback
    assert set(graph.objects(yoruba, ns.DCTERMS.spatial)) == {URIRef(COUNTRY + "NGA")}


def test_code_mappings() -> None:
    assert language_uri("sw") == URIRef(LANG + "SWA")
    assert language_uri("yo") == URIRef(LANG + "YOR")
    assert language_uri("en-GB") == URIRef(LANG + "ENG")
    assert language_uri("zh-Hant") == URIRef(LANG + "ZHO")
    assert country_uri("ke") == URIRef(COUNTRY + "KEN")
    assert country_uri("XX") is None
    assert country_uri("KEN") is None
    assert media_type_uri("text/csv") == URIRef(IANA + "text/csv")
    assert media_type_uri("https://example.org/format") == URIRef("https://example.org/format")


def test_turtle_and_jsonld_parse_back_to_isomorphic_graphs() -> None:
    graph = build()
    turtle = to_turtle(graph)
    jsonld = to_jsonld(graph)
    assert isomorphic(graph, Graph().parse(data=turtle, format="turtle"))
    assert isomorphic(graph, Graph().parse(data=jsonld, format="json-ld"))
    document = json.loads(jsonld)
    assert document["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in turtle


def test_serialisations_are_deterministic() -> None:
    assert to_turtle(build()) == to_turtle(build())
    assert to_jsonld(build()) == to_jsonld(build())
