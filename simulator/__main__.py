"""`python -m simulator inbound|outbound [options]`: play one call and print its dialogue.
`python -m simulator load [--calls 200]`: many calls at once, invariants checked (simulator/load.py)."""

from __future__ import annotations

import argparse
import logging
import sys

from calls.contracts import CALL_CONTROL_SERVICE
from simulator.scenarios import (
    CHIME_FAULTS,
    InboundScenario,
    OutboundScenario,
    SimulationResult,
    format_line,
    run_inbound,
    run_outbound,
)
from simulator.sma import Line


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--retry-every-event", action="store_true", help="deliver every event twice (SMA retry)"
    )
    common.add_argument(
        "--fail-action", action="append", default=[], metavar="TYPE", help="the SMA fails it once"
    )
    common.add_argument("--show-logs", action="store_true", help="print the handler's structured logs too")
    common.add_argument("--quiet", action="store_true", help="only the summary")
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    kinds = parser.add_subparsers(dest="kind", required=True)

    inbound = kinds.add_parser("inbound", parents=[common], help="a caller dials our number")
    inbound.add_argument("--greeting", help="greeting text ('' for none)")
    inbound.add_argument("--agent-answers-after", type=float, default=3.0, metavar="S")
    inbound.add_argument("--no-agent", action="store_true", help="nobody answers: the wait times out")
    inbound.add_argument("--agent-hangs-up-after", type=float, metavar="S")
    inbound.add_argument("--caller-hangs-up-after", type=float, default=45.0, metavar="S")
    inbound.add_argument("--transfer-to", metavar="+E164")
    inbound.add_argument("--transfer-after", type=float, default=10.0, metavar="S")
    inbound.add_argument("--transfer-unanswered", action="store_true")
    inbound.add_argument("--chime-fault", choices=sorted(CHIME_FAULTS))
    inbound.add_argument("--dynamodb-fault", choices=["down", "after-setup"])
    inbound.add_argument("--out-of-order-hangup", action="store_true")
    inbound.add_argument("--meeting-deleted-after", type=float, metavar="S")
    inbound.add_argument("--wait-timeout", type=int, default=300, metavar="S")

    outbound = kinds.add_parser("outbound", parents=[common], help="an agent calls a phone number")
    result = outbound.add_mutually_exclusive_group()
    result.add_argument("--busy", action="store_const", dest="outcome", const="busy")
    result.add_argument("--no-answer", action="store_const", dest="outcome", const="no-answer")
    result.add_argument("--fails", action="store_const", dest="outcome", const="failed")
    outbound.add_argument("--callee-hangs-up-after", type=float, default=30.0, metavar="S")
    outbound.add_argument("--agent-hangs-up-after", type=float, metavar="S")
    outbound.add_argument(
        "--drop-outbound-attributes",
        action="store_true",
        help="the SMA forgets what NEW_OUTBOUND_CALL and RINGING answered (AWS documents it ignores them)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["load"]:
        from simulator import load  # noqa: PLC0415 - the load run's imports only when asked for

        return load.main(arguments[1:])
    options = _parser().parse_args(arguments)
    if not options.show_logs:
        logging.getLogger(CALL_CONTROL_SERVICE).setLevel(logging.ERROR)

    def echo(line: Line) -> None:
        if not options.quiet:
            print(format_line(line), flush=True)

    failures = tuple(options.fail_action)
    if options.kind == "inbound":
        scenario = InboundScenario(
            greeting=options.greeting,
            agent_answers_after=None if options.no_agent else options.agent_answers_after,
            agent_hangs_up_after=options.agent_hangs_up_after,
            caller_hangs_up_after=None if options.no_agent else options.caller_hangs_up_after,
            transfer_to=options.transfer_to,
            transfer_after=options.transfer_after,
            transfer_answers=not options.transfer_unanswered,
            retry_every_event=options.retry_every_event,
            fail_actions=failures,
            chime_fault=options.chime_fault,
            dynamodb_fault=options.dynamodb_fault,
            out_of_order_hangup=options.out_of_order_hangup,
            meeting_deleted_after=options.meeting_deleted_after,
            wait_timeout=options.wait_timeout,
        )
        result = run_inbound(scenario, echo=echo)
    else:
        outbound = OutboundScenario(
            outcome=options.outcome or "answer",
            callee_hangs_up_after=options.callee_hangs_up_after,
            agent_hangs_up_after=options.agent_hangs_up_after,
            retry_every_event=options.retry_every_event,
            fail_actions=failures,
            drop_outbound_attributes=options.drop_outbound_attributes,
        )
        result = run_outbound(outbound, echo=echo)
    print(summary(result))
    return 0 if not (result.chime_violations or result.contract_violations or result.retry_mismatches) else 1


def summary(result: SimulationResult) -> str:
    lines = ["", "── outcome " + "─" * 60]
    for record in result.records:
        lines.append(
            f"call {record.call_id[:8]}  {record.direction.value}  {record.status.value}"
            f"  end reason: {record.end_reason.value if record.end_reason else '-'}"
            f"  error: {record.error or '-'}"
        )
        lines.append(
            f"  meeting {record.meeting_id or '-'}  deleted: {'yes' if record.meeting_ended_at else 'no'}"
        )
    handler_ms = [exchange.seconds * 1000 for exchange in result.exchanges]
    lines.append(
        f"events: {len(result.exchanges)}  handler time: {sum(handler_ms):.0f} ms in all"
        f"  Chime requests: {len(result.chime_requests)}  meetings still open: {len(result.meetings_left)}"
    )
    for label, problems in (
        ("requests the real Chime SDK would refuse", result.chime_violations),
        ("responses the SMA would refuse", result.contract_violations),
        ("retries answered differently", result.retry_mismatches),
    ):
        if problems:
            lines.append(f"!! {label}:")
            lines += [f"   {problem}" for problem in problems]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
