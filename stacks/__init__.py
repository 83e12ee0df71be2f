"""CDK stacks of the AI phone line. The Lambdas' dependency-free contract modules (table key names, the
provider's IAM action list) are imported from lambdas/ so each fact has one home."""

import sys
from pathlib import Path

_LAMBDAS = str(Path(__file__).resolve().parent.parent / "lambdas")
if _LAMBDAS not in sys.path:
    sys.path.append(_LAMBDAS)
