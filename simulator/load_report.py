"""The figures of a load run: handler time per event, AWS requests per call, what 1,000 such calls cost."""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from scripts.costs import PRICES_READ, CallRequests, per_thousand_calls

if TYPE_CHECKING:
    from simulator.load import LoadResult

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
# A table write is written again to each index it reaches (1 KB a unit): by_created projects every attribute
# of every call record. The KEYS_ONLY by_transaction index is left out (reached only when the id is set).
INDEXES_PER_RECORD_WRITE = 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def per_call(result: LoadResult) -> dict[str, float]:
    """Mean AWS requests per call by "side service.Operation" (side: sma = call-control, api = meeting API)."""
    total: Counter[str] = Counter()
    for counts in result.requests.by_call.values():
        total.update(counts)
    calls = max(1, len(result.runs))
    return {name: count / calls for name, count in total.items()}


def per_kind(result: LoadResult) -> dict[str, dict[str, float]]:
    """Mean AWS requests per call of each kind, by service (Chime SDK or DynamoDB)."""
    kinds: dict[str, dict[str, float]] = {}
    sizes = result.kinds()
    for run in result.runs:
        counts = result.requests.by_call.get(run.plan.index, Counter())
        mean = kinds.setdefault(run.plan.kind, {})
        for name, count in counts.items():
            service = name.split(" ", 1)[1].split(".", 1)[0]
            mean[service] = mean.get(service, 0.0) + count / sizes[run.plan.kind]
    return kinds


def item_bytes(image: dict[str, object]) -> int:
    """DynamoDB's size of an item of strings and numbers: names plus values (numbers about half their digits)."""
    size = 0
    for name, value in image.items():
        size += len(name.encode())
        if isinstance(value, dict) and "S" in value:
            size += len(str(value["S"]).encode())
        elif isinstance(value, dict) and "N" in value:
            size += len(str(value["N"])) // 2 + 1
        else:
            size += 1
    return size


def call_requests(result: LoadResult) -> CallRequests:
    records = [change.new for change in result.changes if "status" in change.new]
    mean_bytes = sum(item_bytes(image) for image in records) / max(1, len(records))
    operations = per_call(result)
    sma = [seconds for label, values in result.timings.items() if " " not in label for seconds in values]
    api = [seconds for label, values in result.timings.items() if " " in label for seconds in values]
    calls = max(1, len(result.runs))
    return CallRequests(
        sma_invocations=len(sma) / calls,
        sma_seconds=percentile(sma, 0.5) if sma else 0.0,
        api_requests=len(api) / calls,
        api_seconds=percentile(api, 0.5) if api else 0.0,
        dynamodb_writes=sum(n for name, n in operations.items() if name.rsplit(".", 1)[1] in WRITES),
        dynamodb_reads=sum(n for name, n in operations.items() if name.rsplit(".", 1)[1] in READS),
        write_units_per_write=math.ceil(mean_bytes / 1024) + INDEXES_PER_RECORD_WRITE,
    )


def report(result: LoadResult) -> str:
    kinds = result.kinds()
    lines = [
        f"Load: {len(result.runs)} calls live at once (peak {result.live_at_peak}), "
        f"{result.workers} threads, {result.wall_seconds:.1f} s wall",
        "  mix: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())),
        "",
        "Handler time per invocation: wall clock, AWS requests (local fakes) included, while the other",
        "threads share this machine's cores (a Lambda environment has its invocation to itself)",
        f"  {'event or route':40} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for label, values in sorted(result.timings.items(), key=lambda item: (" " in item[0], item[0])):
        ms = [value * 1000 for value in values]
        lines.append(
            f"  {label:40} {len(ms):5d} {percentile(ms, 0.5):8.1f} {percentile(ms, 0.99):8.1f} {max(ms):8.1f}"
        )
    lines += ["", "AWS requests per call (mean over the mix; retries and SMA duplicates included)"]
    for name, mean in sorted(per_call(result).items()):
        lines.append(f"  {name:52} {mean:6.2f}")
    if result.requests.unattributed:
        lines.append(f"  not attributed to a call: {dict(result.requests.unattributed)}")
    lines += ["", "AWS requests per call by kind of call"]
    for kind, services in sorted(per_kind(result).items()):
        lines.append(f"  {kind:16} " + ", ".join(f"{s} {n:.1f}" for s, n in sorted(services.items())))
    mix = call_requests(result)
    costs = per_thousand_calls(mix)
    lines += [
        "",
        f"AWS cost per 1,000 calls of this mix (list prices, {PRICES_READ}; per-minute media not included)",
        *(f"  {label:72} ${amount:8.4f}" for label, amount in costs),
        f"  {'total':72} ${sum(amount for _, amount in costs):8.4f}",
        "",
    ]
    if result.problems:
        lines.append(f"!! {len(result.problems)} broken invariant(s):")
        lines += [f"   {problem}" for problem in result.problems[:50]]
    else:
        lines.append(
            "Invariants held: no cross-talk, every transition legal and none lost or repeated, "
            "every meeting deleted"
        )
    return "\n".join(lines)
