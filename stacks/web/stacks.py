"""The web client's two stacks: hosting first (its URL is the API's CORS origin), content last."""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.common.nag import acknowledge, partition_text
from stacks.settings import DeploySettings
from stacks.web.content import WebContent
from stacks.web.csp import content_security_policy, production_connect_sources
from stacks.web.hosting import WebHosting


class WebHostingStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, settings: DeploySettings, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        csp = content_security_policy(
            production_connect_sources(
                region=settings.region,
                cognito_domain=settings.cognito_domain_url(Aws.ACCOUNT_ID),
                azure_endpoint=settings.azure.endpoint,
            )
        )
        # Named, so the content stack can name it too (no cross-stack export for every grant).
        self.hosting = WebHosting(
            self, "Hosting", csp=csp, bucket_name=settings.site_bucket_name(Aws.ACCOUNT_ID)
        )
        self.url = self.hosting.url
        CfnOutput(
            self, "WebClientUrl", value=self.url, description="Where agents sign in", key="WebClientUrl"
        )


class WebClientStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        hosting: WebHostingStack,
        config: dict[str, str],
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        WebContent(
            self,
            "Content",
            bucket=s3.Bucket.from_bucket_name(self, "Site", settings.site_bucket_name(Aws.ACCOUNT_ID)),
            distribution=hosting.hosting.distribution,
            config=config,
        )
        # BucketDeployment runs one singleton function per stack, created beside (not inside) our construct.
        deployer = next(
            child for child in self.node.children if child.node.id.startswith("Custom::CDKBucketDeployment")
        )
        acknowledge(
            deployer,
            "AwsSolutions-IAM4",
            "The BucketDeployment custom resource's function (aws-cdk-lib) uses AWSLambdaBasicExecutionRole "
            "for its own logs only.",
            applies_to=[
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            ],
        )
        partition = partition_text(self)
        acknowledge(
            deployer,
            "AwsSolutions-IAM5",
            "The BucketDeployment function (aws-cdk-lib) copies the build from the CDK asset bucket into the "
            "site bucket and invalidates the distribution: object-level S3 actions on those two buckets "
            "only, and cloudfront:CreateInvalidation/GetInvalidation, which aws-cdk-lib grants on '*' (no "
            "narrower resource in the generated policy).",
            applies_to=[
                "Action::s3:GetObject*",
                "Action::s3:GetBucket*",
                "Action::s3:List*",
                "Action::s3:DeleteObject*",
                "Action::s3:Abort*",
                "Resource::*",
                f"Resource::arn:{partition}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{self.region}/*",
                f"Resource::arn:{partition}:s3:::{settings.site_bucket_name('<AWS::AccountId>')}/*",
            ],
        )
        acknowledge(
            deployer,
            "AwsSolutions-L1",
            "The BucketDeployment function's runtime is pinned by aws-cdk-lib (it bundles the AWS CLI).",
        )
