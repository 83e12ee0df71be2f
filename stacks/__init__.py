"""CDK stacks of the AI phone line. The Lambdas' dependency-free contract modules (table key names, the
provider's IAM action list) are imported from lambdas/ so each fact has one home; lambdas/ is importable
because the project is installed (pyproject.toml, `make setup-python`)."""
