"""The calls table as the stack creates it, in moto's DynamoDB: the simulator's, and the tests import it from here."""

from __future__ import annotations

from typing import Any

from calls import schema


def create_calls_table(client: Any, name: str = "calls") -> str:
    """Create the table (keys, list and transaction indexes, TTL) in a moto-mocked DynamoDB and return its name."""
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": schema.PARTITION_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": schema.PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": schema.LIST_PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": schema.LIST_SORT_KEY, "AttributeType": "S"},
            {"AttributeName": schema.TRANSACTION_KEY, "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": schema.LIST_INDEX,
                "KeySchema": [
                    {"AttributeName": schema.LIST_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": schema.LIST_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": schema.TRANSACTION_INDEX,
                "KeySchema": [{"AttributeName": schema.TRANSACTION_KEY, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
    )
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": schema.TTL_ATTRIBUTE}
    )
    return name
