"""Prints how long a full synth takes (all stacks, cdk-nag included) and the provider's cold import time.

    .venv/bin/python -m bench.synth

Figures only, no pass/fail: the synth target lives in the README, the import time matters because the
custom resource provider runs cold on nearly every deploy.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="1", AWS_EC2_METADATA_DISABLED="true")


def synth_seconds(runs: int) -> list[float]:
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as outdir:
            env = dict(ENV, CDK_OUTDIR=outdir, CDK_CONTEXT_JSON=json.dumps(context))
            started = time.perf_counter()
            subprocess.run([sys.executable, "app.py"], cwd=REPO, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return times


def import_ms(module: str, runs: int) -> list[float]:
    """Cold import in a fresh interpreter, as a Lambda cold start sees it (interpreter start excluded)."""
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO / "lambdas",
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(float(out.stdout.strip()))
    return results


def main() -> None:
    synth = synth_seconds(3)
    print(
        f"synth, all 4 stacks with cdk-nag (python app.py, 3 runs): median {statistics.median(synth):.1f} s, "
        f"min {min(synth):.1f} s, max {max(synth):.1f} s"
    )
    provider = import_ms("telephony_provider.handler", 10)
    print(
        f"cold import of telephony_provider.handler (10 runs): median {statistics.median(provider):.0f} ms, "
        f"max {max(provider):.0f} ms"
    )


if __name__ == "__main__":
    main()
