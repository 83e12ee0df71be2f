"""Names of the calls table's keys and index: imported by the Lambdas and by the CDK stack that creates it."""

PARTITION_KEY = "call_id"
LIST_INDEX = "by_created"
LIST_PARTITION_KEY = "list_pk"
LIST_SORT_KEY = "created_at"
LIST_PARTITION_VALUE = "call"
TTL_ATTRIBUTE = "expires_at"
TABLE_ENV = "CALLS_TABLE_NAME"
# Finds an outbound call by the SMA's TransactionId when the SMA did not keep our transaction attributes.
TRANSACTION_INDEX = "by_transaction"
TRANSACTION_KEY = "transaction_id"
