"""A local call simulator: plays whole calls through the real call-control handler against local AWS fakes.

Run from the repository root: `python -m simulator inbound`, `python -m simulator outbound --busy`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The Lambda code lives in lambdas/ (its asset root); make it importable as it is in Lambda.
_LAMBDAS = Path(__file__).resolve().parent.parent / "lambdas"
if str(_LAMBDAS) not in sys.path:
    sys.path.insert(0, str(_LAMBDAS))
