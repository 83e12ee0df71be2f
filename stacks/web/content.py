"""Puts the built client (frontend/dist) and its runtime config.json into the site bucket on every deploy."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"


class WebContent(Construct):
    """Hashed assets are cached for a year; index.html and config.json are revalidated on every load."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        distribution: cloudfront.IDistribution,
        config: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        if not (DIST / "index.html").exists():
            raise FileNotFoundError(
                f"{DIST} has no built client: run `npm --prefix frontend ci && npm --prefix frontend run build` "
                "(make synth does this)"
            )
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[
                s3deploy.Source.asset(str(DIST), exclude=["index.html", "config.json", ".vite", ".vite/*"])
            ],
            destination_bucket=bucket,
            cache_control=[s3deploy.CacheControl.from_string("public, max-age=31536000, immutable")],
            prune=False,
            memory_limit=512,
        )
        pages = s3deploy.BucketDeployment(
            self,
            "Pages",
            sources=[
                s3deploy.Source.asset(str(DIST), exclude=["*", "!index.html"]),
                s3deploy.Source.json_data("config.json", config),
            ],
            destination_bucket=bucket,
            cache_control=[s3deploy.CacheControl.from_string("no-cache")],
            prune=False,
            distribution=distribution,
            distribution_paths=["/index.html", "/config.json"],
            memory_limit=512,
        )
        pages.node.add_dependency(assets)  # never serve an index.html whose assets are not there yet
