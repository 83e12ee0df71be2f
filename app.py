#!/usr/bin/env python3
"""CDK entry point: read the settings once, compose the stacks, synthesize."""

import os
import sys

from aws_cdk import App

from stacks.application import compose
from stacks.common.lambda_dependencies import DependenciesError
from stacks.settings import SettingsError, settings_from_context

app = App()
try:
    settings = settings_from_context(
        app.node.get_all_context(), default_account=os.environ.get("CDK_DEFAULT_ACCOUNT")
    )
    compose(app, settings)
except (SettingsError, DependenciesError) as error:
    sys.exit(f"error: {error}")
app.synth()
