"""`s3://` locations through s3fs, against an S3-compatible server on 127.0.0.1 (moto)."""

from collections.abc import Iterator
from typing import Any

import pytest

from inventory.locations import LocationError, LocationPolicy, list_shards, open_shard

moto_server = pytest.importorskip("moto.server", reason="needs moto[server] (the dev extra)")
pytest.importorskip("s3fs", reason="needs s3fs (the s3 extra)")


@pytest.fixture
def s3_policy(tmp_path: Any) -> Iterator[LocationPolicy]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="corpora")
    client.put_object(Bucket="corpora", Key="news/part-0.jsonl", Body=b'{"text": "habari"}\n')
    client.put_object(Bucket="corpora", Key="news/part-1.jsonl", Body=b'{"text": "jambo"}\n')
    client.put_object(Bucket="corpora", Key="news/LICENSE", Body=b"CC-BY-4.0\n")
    try:
        yield LocationPolicy(
            storage_roots={"demo": tmp_path},
            s3_options={
                "key": "test",
                "secret": "test",
                "endpoint_url": endpoint,
                "client_kwargs": {"region_name": "us-east-1"},
            },
        )
    finally:
        server.stop()


def test_an_s3_prefix_lists_its_objects_and_a_shard_reads(s3_policy: LocationPolicy) -> None:
    shards = list_shards("s3://corpora/news", s3_policy)

    assert [(s.location, s.size, s.role) for s in shards] == [
        ("s3://corpora/news/LICENSE", 10, "evidence"),
        ("s3://corpora/news/part-0.jsonl", 19, "data"),
        ("s3://corpora/news/part-1.jsonl", 18, "data"),
    ]
    with open_shard("s3://corpora/news/part-1.jsonl", s3_policy) as handle:
        assert handle.read() == b'{"text": "jambo"}\n'


def test_a_glob_and_a_missing_prefix(s3_policy: LocationPolicy) -> None:
    assert [s.name for s in list_shards("s3://corpora/news/*.jsonl", s3_policy)] == [
        "corpora/news/part-0.jsonl",
        "corpora/news/part-1.jsonl",
    ]
    with pytest.raises(LocationError, match="holds no object"):
        list_shards("s3://corpora/nothing-here", s3_policy)
    with pytest.raises(LocationError, match="no bucket"):
        list_shards("s3:///news", s3_policy)
