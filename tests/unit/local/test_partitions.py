"""The local runtime's patches of moto (polymetric_local.partitions, .fastreads, .directreads): same answers, one
partition read."""

import json
import random
from pathlib import Path

import boto3
import moto
import pytest
from moto import mock_aws

from polymetric_local import directreads, fastreads, partitions

TABLE = "partitioned"
LOCK = Path(__file__).resolve().parents[3] / "requirements-dev.lock"


def test_moto_is_the_pinned_version_the_patch_was_written_for() -> None:
    """An upgrade of moto must come with a fresh look at partitions.py (then move MOTO_VERSION)."""
    pinned = [line.split("==")[1] for line in LOCK.read_text().splitlines() if line.startswith("moto==")]
    assert moto.__version__ == partitions.MOTO_VERSION == pinned[0]


@pytest.fixture
def client():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName=TABLE,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "gpk", "AttributeType": "S"},
                {"AttributeName": "gsk", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "ByG",
                    "KeySchema": [
                        {"AttributeName": "gpk", "KeyType": "HASH"},
                        {"AttributeName": "gsk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        rng = random.Random(7)
        for p in range(20):
            items = []
            for s in rng.sample(range(1000), 25):
                item = {
                    "pk": {"S": f"p{p}"},
                    "sk": {"S": f"{s:04d}"},
                    "v": {"N": str(s)},
                    "d": {"B": bytes([s % 256, 0, 255])},
                    "m": {"M": {"l": {"L": [{"B": b"\x00z"}, {"NULL": True}, {"SS": ["a"]}]}}},
                }
                if s % 3 == 0:
                    item.update(gpk={"S": f"g{p % 4}"}, gsk={"S": f"{s:04d}#{p}"})
                items.append({"PutRequest": {"Item": item}})
            ddb.batch_write_item(RequestItems={TABLE: items})
        yield ddb
        partitions.uninstall()
        fastreads.uninstall()


QUERIES = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p3"}}},
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "nope"}}},
    {
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":p": {"S": "p7"}, ":a": {"S": "0100"}, ":b": {"S": "0600"}},
        "ScanIndexForward": False,
    },
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p9"}}, "Limit": 4},
    {
        "IndexName": "ByG",
        "KeyConditionExpression": "gpk = :g AND gsk < :s",
        "ExpressionAttributeValues": {":g": {"S": "g1"}, ":s": {"S": "0500"}},
    },
]


def _pages(client, query):
    out, kwargs = [], dict(query)
    while True:
        page = client.query(TableName=TABLE, **kwargs)
        out.append(page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_answers_as_moto_does_and_reads_one_partition(client, query) -> None:
    expected = _pages(client, query)
    partitions.install()
    fastreads.install()
    before, fast = partitions.stats["partition_reads"], fastreads.stats["fast"]
    assert _pages(client, query) == expected
    assert partitions.stats["partition_reads"] > before, "moto's Table.query no longer goes through all_items"
    assert fastreads.stats["fast"] > fast, "moto's ActionResult.execute_result is no longer called"


def test_scans_and_other_threads_see_moto_unchanged(client) -> None:
    expected = client.scan(TableName=TABLE)["Items"]
    keys = [{"pk": i["pk"], "sk": i["sk"]} for i in expected[:20]]
    got = client.batch_get_item(RequestItems={TABLE: {"Keys": keys}})["Responses"][TABLE]
    partitions.install()
    fastreads.install()
    assert client.batch_get_item(RequestItems={TABLE: {"Keys": keys}})["Responses"][TABLE] == got
    assert client.get_item(TableName=TABLE, Key=keys[0])["Item"] == expected[0]
    before = partitions.stats["partition_reads"]
    assert client.scan(TableName=TABLE)["Items"] == expected
    assert partitions.stats["partition_reads"] == before


def _writes(client, tag: str) -> list:
    """Every kind of item write, with each kind of answer they give (old, new and updated values, none)."""
    key = {"pk": {"S": tag}, "sk": {"S": "1"}}
    add = {"UpdateExpression": "ADD v :n", "ExpressionAttributeValues": {":n": {"N": "2"}}}
    answers = [
        client.put_item(TableName=TABLE, Item={**key, "d": {"B": b"\x00\x01"}}),
        client.put_item(
            TableName=TABLE, Item={**key, "d": {"B": b"\x00\x02"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD"
        ),
        client.update_item(TableName=TABLE, Key=key, ReturnValues="ALL_NEW", **add),
        client.update_item(TableName=TABLE, Key=key, ReturnValues="UPDATED_NEW", ReturnConsumedCapacity="TOTAL", **add),
        client.batch_write_item(
            RequestItems={TABLE: [{"PutRequest": {"Item": {"pk": {"S": tag}, "sk": {"S": str(i)}}}} for i in range(3)]},
            ReturnConsumedCapacity="TOTAL",
        ),
        client.transact_write_items(
            TransactItems=[{"Put": {"TableName": TABLE, "Item": {"pk": {"S": tag}, "sk": {"S": "9"}}}}]
        ),
        client.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD"),
    ]
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(
            TableName=TABLE, Item={"pk": {"S": tag}, "sk": {"S": "9"}}, ConditionExpression="attribute_not_exists(pk)"
        )
    for answer in answers:
        answer.pop("ResponseMetadata")
    return [json.loads(json.dumps(a, default=repr).replace(f'"{tag}"', '"TAG"')) for a in answers]


def test_writes_answer_as_moto_does(client) -> None:
    expected = _writes(client, "slow")
    fastreads.install()
    fast = fastreads.stats["fast"]
    assert _writes(client, "fast") == expected
    assert fastreads.stats["fast"] >= fast + 7, "moto's ActionResult.execute_result is no longer called for writes"


def _reads(client) -> list:
    """Every page of QUERIES (with a projection, a count and consumed capacity too), and GetItems."""
    answers = [page for query in QUERIES for page in _full_pages(client, query)]
    answers += _full_pages(client, {**QUERIES[0], "ProjectionExpression": "pk, m.l", "ReturnConsumedCapacity": "TOTAL"})
    answers += _full_pages(client, {**QUERIES[2], "Select": "COUNT"})
    for key in ({"pk": {"S": "p3"}, "sk": {"S": _first_sk(client)}}, {"pk": {"S": "p3"}, "sk": {"S": "none"}}):
        answers.append(client.get_item(TableName=TABLE, Key=key, ConsistentRead=True))
    for answer in answers:
        answer.pop("ResponseMetadata")
    return answers


def _full_pages(client, query) -> list:
    out, kwargs = [], dict(query)
    while True:
        out.append(client.query(TableName=TABLE, **kwargs))
        if "LastEvaluatedKey" not in out[-1]:
            return out
        kwargs["ExclusiveStartKey"] = out[-1]["LastEvaluatedKey"]


def _first_sk(client) -> str:
    return client.query(TableName=TABLE, **QUERIES[0], Limit=1)["Items"][0]["sk"]["S"]


def test_direct_reads_answer_as_moto_does(client) -> None:
    expected = _reads(client)
    directreads.install()
    try:
        direct_client = boto3.client("dynamodb", region_name="us-east-1")  # handlers are taken at creation
        before = directreads.stats["direct"]
        got = _reads(direct_client)
        assert directreads.stats["direct"] >= before + len(expected)
        assert got == expected
        assert isinstance(got[-2]["Item"]["d"]["B"], bytes)
        with pytest.raises(direct_client.exceptions.ResourceNotFoundException):  # moto's errors: the usual path
            direct_client.query(TableName="missing", **QUERIES[0])
    finally:
        directreads.uninstall()
