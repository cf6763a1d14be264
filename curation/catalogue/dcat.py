"""DCAT-AP 3.0 catalogue of public assets as an rdflib graph, serialised to Turtle or JSON-LD;
pure code (no Django), shaped to conform to the official DCAT-AP 3.0 SHACL shapes."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import langcodes
import pycountry
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from rdflib.term import Node

SPDX: Final = Namespace("http://spdx.org/rdf/terms#")
LANGUAGE_AUTHORITY: Final = "http://publications.europa.eu/resource/authority/language/"
COUNTRY_AUTHORITY: Final = "http://publications.europa.eu/resource/authority/country/"
IANA_MEDIA_TYPES: Final = "https://www.iana.org/assignments/media-types/"
SPDX_LICENSES: Final = "http://spdx.org/licenses/"
# Unregistered media types replaced by their registered equivalent.
REGISTERED_MEDIA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {"application/x-parquet": "application/vnd.apache.parquet"}
)
JSONLD_CONTEXT: Final[Mapping[str, str]] = MappingProxyType(
    {
        "dcat": str(DCAT),
        "dct": str(DCTERMS),
        "foaf": str(FOAF),
        "rdfs": str(RDFS),
        "spdx": str(SPDX),
        "xsd": str(XSD),
    }
)
_SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+\-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class CatalogueDistribution:
    """One downloadable file of a public asset."""

    access_url: str
    download_url: str
    media_type: str  # e.g. "application/jsonlines"
    byte_size: int
    sha256: str
    license_spdx: str  # an SPDX identifier or expression, "" when unknown
    title: str
    compress_format: str = ""  # media type of the compression, e.g. "application/gzip"


@dataclass(frozen=True)
class CatalogueDataset:
    """One public asset."""

    identifier: str  # a stable URI
    title: str
    description: str
    publisher_name: str
    publisher_uri: str
    languages: tuple[str, ...]  # BCP 47
    license_spdx: tuple[str, ...]
    issued: str  # ISO 8601 date or date-time
    modified: str
    landing_page: str
    distributions: tuple[CatalogueDistribution, ...]
    keywords: tuple[str, ...]
    spatial: tuple[str, ...]  # ISO 3166 alpha-2 origin nations


def language_uri(tag: str) -> URIRef | None:
    """The EU language authority URI of a BCP 47 tag (ISO 639-3 code), None if it has none."""
    try:
        code = langcodes.Language.get(tag).to_alpha3()
    except (LookupError, ValueError):
        return None
    return URIRef(LANGUAGE_AUTHORITY + code.upper()) if code else None


def country_uri(alpha2: str) -> URIRef | None:
    """The EU country authority URI of an ISO 3166 alpha-2 code, None if unknown."""
    country = pycountry.countries.get(alpha_2=alpha2.upper()) if len(alpha2) == 2 else None
    return URIRef(COUNTRY_AUTHORITY + country.alpha_3) if country else None


def media_type_uri(media_type: str) -> URIRef:
    if media_type.startswith(("http://", "https://")):
        return URIRef(media_type)
    media_type = media_type.strip().lower()
    return URIRef(IANA_MEDIA_TYPES + REGISTERED_MEDIA_TYPES.get(media_type, media_type))


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date if _DATE.match(value) else XSD.dateTime)


class _Builder:
    """Adds nodes to a graph, typing each referenced node once (as the shapes' sh:class need)."""

    def __init__(self) -> None:
        self.graph = Graph()
        for prefix, namespace in JSONLD_CONTEXT.items():
            self.graph.bind(prefix, Namespace(namespace))
        self._licenses: dict[str, Node] = {}

    def add(self, subject: Node, predicate: URIRef, value: Node) -> None:
        self.graph.add((subject, predicate, value))

    def typed(self, node: URIRef, rdf_type: URIRef) -> URIRef:
        self.graph.add((node, RDF.type, rdf_type))
        return node

    def agent(self, uri: str, name: str) -> URIRef:
        node = self.typed(URIRef(uri), FOAF.Agent)
        self.graph.set((node, FOAF.name, Literal(name)))
        return node

    def document(self, uri: str) -> URIRef:
        return self.typed(URIRef(uri), FOAF.Document)

    def license(self, expression: str) -> Node:
        """A dct:LicenseDocument: the SPDX licence URI for a single identifier, otherwise a
        node labelled with the expression."""
        expression = expression.strip()
        if expression in self._licenses:
            return self._licenses[expression]
        node: Node
        if _SPDX_ID.match(expression) and not expression.startswith("LicenseRef-"):
            node = URIRef(SPDX_LICENSES + expression)
        else:  # a deterministic blank node, so that the same catalogue serialises the same
            node = BNode("license-" + hashlib.sha256(expression.encode()).hexdigest()[:16])
        self.add(node, RDF.type, DCTERMS.LicenseDocument)
        self.add(node, RDFS.label, Literal(expression))
        self._licenses[expression] = node
        return node

    def distribution(self, uri: URIRef, dist: CatalogueDistribution) -> URIRef:
        self.typed(uri, DCAT.Distribution)
        if dist.title:
            self.add(uri, DCTERMS.title, Literal(dist.title))
        self.add(uri, DCAT.accessURL, self.typed(URIRef(dist.access_url), RDFS.Resource))
        if dist.download_url:
            self.add(uri, DCAT.downloadURL, self.typed(URIRef(dist.download_url), RDFS.Resource))
        if dist.media_type:
            self.add(
                uri, DCAT.mediaType, self.typed(media_type_uri(dist.media_type), DCTERMS.MediaType)
            )
        if dist.compress_format:
            media = self.typed(media_type_uri(dist.compress_format), DCTERMS.MediaType)
            self.add(uri, DCAT.compressFormat, media)
        self.add(uri, DCAT.byteSize, Literal(dist.byte_size, datatype=XSD.nonNegativeInteger))
        if dist.sha256:
            checksum = BNode("sha256-" + dist.sha256.lower())
            self.add(checksum, RDF.type, SPDX.Checksum)
            algorithm = self.typed(SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)
            self.add(checksum, SPDX.algorithm, algorithm)
            self.add(
                checksum, SPDX.checksumValue, Literal(dist.sha256.lower(), datatype=XSD.hexBinary)
            )
            self.add(uri, SPDX.checksum, checksum)
        if dist.license_spdx:
            self.add(uri, DCTERMS.license, self.license(dist.license_spdx))
        return uri

    def dataset(self, ds: CatalogueDataset) -> URIRef:
        node = self.typed(URIRef(ds.identifier), DCAT.Dataset)
        self.add(node, DCTERMS.identifier, Literal(ds.identifier))
        self.add(node, DCTERMS.title, Literal(ds.title))
        self.add(node, DCTERMS.description, Literal(ds.description or ds.title))
        self.add(node, DCTERMS.publisher, self.agent(ds.publisher_uri, ds.publisher_name))
        for tag in ds.languages:
            uri = language_uri(tag)
            if uri is not None:
                self.add(node, DCTERMS.language, self.typed(uri, DCTERMS.LinguisticSystem))
        for expression in ds.license_spdx:
            self.add(node, DCTERMS.license, self.license(expression))
        if ds.issued:
            self.add(node, DCTERMS.issued, _date(ds.issued))
        if ds.modified:
            self.add(node, DCTERMS.modified, _date(ds.modified))
        if ds.landing_page:
            self.add(node, DCAT.landingPage, self.document(ds.landing_page))
        for keyword in ds.keywords:
            self.add(node, DCAT.keyword, Literal(keyword))
        for alpha2 in ds.spatial:
            uri = country_uri(alpha2)
            if uri is not None:
                self.add(node, DCTERMS.spatial, self.typed(uri, DCTERMS.Location))
        default_license = ds.license_spdx[0] if len(ds.license_spdx) == 1 else ""
        for n, dist in enumerate(ds.distributions, 1):
            if not dist.license_spdx and default_license:
                dist = CatalogueDistribution(**{**vars(dist), "license_spdx": default_license})
            uri = URIRef(f"{ds.identifier.rstrip('/')}/distribution/{n}")
            self.add(node, DCAT.distribution, self.distribution(uri, dist))
        return node


def catalogue_graph(
    *,
    uri: str,
    title: str,
    description: str,
    publisher_name: str,
    publisher_uri: str,
    homepage: str,
    datasets: Iterable[CatalogueDataset],
) -> Graph:
    """A dcat:Catalog with its publisher, homepage and one dcat:Dataset per public asset, each
    with publisher, languages, licence documents, spatial coverage and checksummed
    distributions."""
    builder = _Builder()
    catalog = builder.typed(URIRef(uri), DCAT.Catalog)
    builder.add(catalog, DCTERMS.title, Literal(title))
    builder.add(catalog, DCTERMS.description, Literal(description))
    builder.add(catalog, DCTERMS.publisher, builder.agent(publisher_uri, publisher_name))
    if homepage:
        builder.add(catalog, FOAF.homepage, builder.document(homepage))
    for ds in datasets:
        builder.add(catalog, DCAT.dataset, builder.dataset(ds))
    return builder.graph


def to_turtle(graph: Graph) -> str:
    """Turtle with the catalogue's prefixes."""
    return graph.serialize(format="turtle")


def to_jsonld(graph: Graph) -> str:
    """Compact JSON-LD with the catalogue's prefixes as its context."""
    text = graph.serialize(format="json-ld", context=dict(JSONLD_CONTEXT), auto_compact=True)
    document = json.loads(text)
    if isinstance(document.get("@graph"), list):
        document["@graph"].sort(key=lambda node: str(node.get("@id", "")))
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
