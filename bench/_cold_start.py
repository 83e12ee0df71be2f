"""Cold-start figures for a Lambda handler module: import and init timed separately, each in fresh interpreters.

Lambda's Python has only the runtime's packages (boto3 and its dependencies) and our layer
(lambdas/requirements.txt); the dev virtualenv has many more, and some are imported merely because they are
there (pyOpenSSL by botocore, aiobotocore and requests by the X-Ray SDK's patching). So each run uses
`python -S` (no site-packages) with a directory of links to just those distributions, as Lambda would.
Tracing is on as in Lambda (LAMBDA_TASK_ROOT set, POWERTOOLS_TRACE_DISABLED unset); no X-Ray daemon and
no AWS endpoint is reachable, and neither import nor init should try one.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from stacks.common.lambda_dependencies import REQUIREMENTS, RUNTIME_PROVIDED, dependencies_dir

ROOT = Path(__file__).resolve().parents[1]

# Timed in the child: `import <module>`, then `<init>` (what the handler's init phase does), each by wall and
# by CPU clock; CPU time is the same on a busy machine, wall time is what a caller waits.
_CHILD = """
import sys, time
w0, c0 = time.perf_counter(), time.process_time()
import {module}
w1, c1 = time.perf_counter(), time.process_time()
{init}
w2, c2 = time.perf_counter(), time.process_time()
print((w1 - w0) * 1e3, (w2 - w1) * 1e3, (c1 - c0) * 1e3, (c2 - c1) * 1e3)
"""


@dataclass(frozen=True, slots=True)
class ColdStart:
    import_wall: float
    init_wall: float
    import_cpu: float
    init_cpu: float

    def line(self, label: str) -> str:
        total = self.import_wall + self.init_wall
        return (
            f"  {label:<40} import {self.import_wall:5.0f}  init {self.init_wall:5.0f}  total {total:5.0f} ms"
            f"   (CPU: {self.import_cpu:4.0f} + {self.init_cpu:4.0f} ms)"
        )


def _layer_names() -> list[str]:
    names = []
    for line in REQUIREMENTS.read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement:
            names.append(requirement.split("==")[0].split("[")[0])
    return names


def _top_levels(name: str) -> dict[str, Path]:
    """The distribution's top-level modules and packages, by name, where they are installed."""
    found = {}
    for file in importlib.metadata.distribution(name).files or []:
        top = file.parts[0]
        if not top.endswith((".dist-info", "-stubs")) and top not in {"..", "__pycache__", "bin"}:
            found[top] = Path(str(file.locate())).parents[len(file.parts) - 1] / top
    return found


@functools.cache
def lambda_site() -> Path:
    """A directory holding links to the installed copies of exactly what Lambda's Python would have."""
    site = Path(tempfile.gettempdir()) / "phoneline-lambda-site"  # kept between runs: it caches bytecode
    site.mkdir(exist_ok=True)
    for name in [*RUNTIME_PROVIDED, *_layer_names()]:
        for top, installed in _top_levels(name).items():
            link = site / top
            # Shared between checkouts: a link left by one since removed (or another venv) is replaced.
            if link.is_symlink() and link.resolve() != installed.resolve():
                link.unlink()
            if not link.is_symlink():
                link.symlink_to(installed)
    return site


@functools.cache
def as_deployed() -> tuple[Path, Path]:
    """(code, site) as the assets ship them: our code without bytecode (the stacks exclude it, and Lambda's
    file system is read-only, so every cold start compiles it); the layer as built, with the bytecode it
    ships (for this machine's platform: the same .pyc, native code this machine can load); the runtime's
    packages linked with their bytecode (assumed: the managed runtime ships boto3 compiled)."""
    root = Path(tempfile.mkdtemp(prefix="phoneline-as-deployed-"))
    shutil.copytree(ROOT / "lambdas", root / "code", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    site = root / "site"
    site.mkdir()
    for name in RUNTIME_PROVIDED:
        for top, installed in _top_levels(name).items():
            (site / top).symlink_to(installed)
    layer = dependencies_dir(f"manylinux2014_{platform.machine()}") / "python"
    shutil.copytree(layer, site, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.dist-info", "bin"))
    return root / "code", site


def measure(
    module: str,
    init: str,
    env: Mapping[str, str],
    runs: int,
    *,
    code: Path = ROOT / "lambdas",
    bytecode: bool = True,
) -> ColdStart:
    """Median over `runs` fresh interpreters; `env` adds to a minimal Lambda-like environment. `code`: the
    directory Lambda would unpack the function into (another checkout's, to compare). `bytecode=False`:
    our code compiled on every start, the layer with its bytecode, as deployed (`code` is then this
    checkout's)."""
    site = lambda_site()
    if not bytecode:
        code, site = as_deployed()
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{code}{os.pathsep}{site}",
        "PYTHONDONTWRITEBYTECODE": "" if bytecode else "1",
        "LAMBDA_TASK_ROOT": str(code),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
        **env,
    }
    child = _CHILD.format(module=module, init=init or "pass")
    samples: list[list[float]] = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-S", "-c", child], env=environment, capture_output=True, text=True, check=True
        )
        samples.append([float(value) for value in done.stdout.split()[-4:]])
    return ColdStart(*(statistics.median(column) for column in zip(*samples, strict=True)))


def heaviest_imports(module: str, env: Mapping[str, str], limit: int) -> list[tuple[float, str]]:
    """What `module` imports directly and one level below, by cumulative -X importtime ms (one run)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{lambda_site()}",
        "LAMBDA_TASK_ROOT": str(ROOT / "lambdas"),
        "AWS_DEFAULT_REGION": "us-east-1",
        **env,
    }
    stderr = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", f"import {module}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    rows: list[tuple[float, str]] = []
    for line in stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        depth = (len(parts[2]) - len(parts[2].lstrip()) - 1) // 2
        if depth in {1, 2}:
            rows.append((int(parts[1]) / 1000, "  " * (depth - 1) + parts[2].strip()))
    return sorted(rows, key=lambda row: -row[0])[:limit]
