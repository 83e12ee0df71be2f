"""Prints the size of the Lambdas' dependencies layer (lambdas/requirements.txt for python3.13 on arm64).

    .venv/bin/python -m bench.bundle

Figures only, no pass/fail. Lambda allows 250 MB unzipped for a function and its layers; what is zipped is
what each deploy uploads when a pin changes, and what a cold start unpacks.
"""

from __future__ import annotations

import importlib.metadata
import io
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What pip would have pulled in through aws-xray-sdk -> botocore had the build not left the runtime's
# packages out (tests/unit/stacks/test_assets.py checks that none is bundled).
LEFT_OUT = ("botocore", "jmespath", "urllib3", "python-dateutil", "six")


def layer_dir() -> Path:
    code = (
        "from stacks.common.lambda_dependencies import dependencies_dir; print(dependencies_dir() / 'python')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


def zipped_bytes(root: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, str(Path("python") / path.relative_to(root)))
    return buffer.tell()


def distribution_bytes(dist: importlib.metadata.Distribution) -> int:
    paths = (Path(str(dist.locate_file(file))) for file in dist.files or [])
    return sum(path.stat().st_size for path in paths if path.is_file())


def main() -> None:
    root = layer_dir()
    files = [path for path in root.rglob("*") if path.is_file()]
    unzipped = sum(path.stat().st_size for path in files)
    print(
        f"dependencies layer ({root.parent.name}): {len(files)} files, {unzipped / 1e6:.1f} MB unzipped, "
        f"{zipped_bytes(root) / 1e6:.1f} MB zipped"
    )
    dists = sorted(importlib.metadata.distributions(path=[str(root)]), key=distribution_bytes, reverse=True)
    print("  " + ", ".join(f"{d.metadata['Name']} {distribution_bytes(d) / 1e6:.1f} MB" for d in dists))
    left_out = [importlib.metadata.distribution(name) for name in LEFT_OUT]
    print(
        "  left out, the runtime has them: "
        + ", ".join(f"{d.metadata['Name']} {distribution_bytes(d) / 1e6:.1f} MB" for d in left_out)
        + " (sizes of this machine's copies)"
    )


if __name__ == "__main__":
    main()
