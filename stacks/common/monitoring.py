"""Alarms and a dashboard for the functions and call outcomes, with an optional e-mail subscription."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from stacks.common.nag import acknowledge


class Monitoring(Construct):
    """Alarm on errors and throttles of each function plus any business metric added with `alarm_on`."""

    def __init__(self, scope: Construct, construct_id: str, *, dashboard_name: str, alarm_email: str | None):
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", enforce_ssl=True)
        acknowledge(
            self.topic,
            "AwsSolutions-SNS2",
            "The topic carries only alarm state changes (no call or customer data); CloudWatch alarms "
            "cannot publish to a topic encrypted with the AWS-managed SNS key.",
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name)
        self._action = actions.SnsAction(self.topic)

    def watch_function(self, label: str, function: lambda_.IFunction) -> None:
        errors = function.metric_errors(period=Duration.minutes(1), statistic="Sum")
        throttles = function.metric_throttles(period=Duration.minutes(1), statistic="Sum")
        self.alarm_on(f"{label}Errors", errors, threshold=1, description=f"{label} raised errors")
        self.alarm_on(f"{label}Throttles", throttles, threshold=1, description=f"{label} was throttled")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"{label}: invocations, errors, throttles",
                left=[
                    function.metric_invocations(period=Duration.minutes(1)),
                    errors,
                    throttles,
                ],
            ),
            cloudwatch.GraphWidget(
                title=f"{label}: duration p99",
                left=[
                    function.metric_duration(period=Duration.minutes(1), statistic="p99"),
                ],
            ),
        )

    def alarm_on_count(
        self,
        metric_name: str,
        *,
        namespace: str,
        service: str,
        description: str,
        threshold: int = 1,
        period: Duration | None = None,
    ) -> None:
        """Alarm when a Powertools count metric of ours (namespace + service dimension) reaches `threshold`
        within `period` (default: as soon as it is non-zero in 5 minutes)."""
        metric = cloudwatch.Metric(
            namespace=namespace,
            metric_name=metric_name,
            dimensions_map={"service": service},
            statistic="Sum",
            period=period or Duration.minutes(5),
        )
        self.alarm_on(metric_name, metric, threshold=threshold, description=description)

    def alarm_on(
        self, construct_id: str, metric: cloudwatch.IMetric, *, threshold: float, description: str
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
