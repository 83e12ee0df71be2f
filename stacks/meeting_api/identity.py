"""Who may sign in: a Cognito user pool with invited agents only, and the web client's PKCE app client."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from stacks.common.nag import acknowledge
from stacks.settings import DeploySettings


class AgentIdentity(Construct):
    """No self sign-up; agents from the `agentEmails` setting get an e-mailed invitation; MFA per setting."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        web_url: str,
        domain_prefix: str,
    ) -> None:
        super().__init__(scope, construct_id)
        mfa = {"off": cognito.Mfa.OFF, "optional": cognito.Mfa.OPTIONAL, "required": cognito.Mfa.REQUIRED}
        self.user_pool = cognito.UserPool(
            self,
            "Agents",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(7),
            ),
            mfa=mfa[settings.agents.mfa],
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            user_invitation=cognito.UserInvitationConfig(
                email_subject="You're invited to answer calls",
                email_body=(
                    "Your team's phone line is ready. Sign in at "
                    f"{web_url} with {{username}} and the temporary password {{####}}."
                ),
            ),
            # Agents' accounts are people's identities, not call data: they go with the stack.
            removal_policy=RemovalPolicy.DESTROY,
            deletion_protection=False,
        )
        if settings.agents.mfa != "required":
            acknowledge(
                self.user_pool,
                "AwsSolutions-COG2",
                f"MFA is {settings.agents.mfa} by the deploy setting `mfa`; agents can enrol an authenticator "
                "app (TOTP). Set mfa=required to enforce it for everyone.",
            )
        self.domain = self.user_pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix)
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=False, user_password=False, custom=False),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=[f"{web_url}/"],
                logout_urls=[f"{web_url}/"],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            # API Gateway's JWT authorizer cannot see a revoked refresh token's ID tokens: short-lived ones
            # bound what a signed-out (or stolen) session can still do. The client refreshes them silently.
            access_token_validity=Duration.minutes(15),
            id_token_validity=Duration.minutes(15),
            refresh_token_validity=Duration.days(30),
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
        )
        for index, email in enumerate(settings.agents.emails):
            cognito.CfnUserPoolUser(
                self,
                f"Agent{index}",
                user_pool_id=self.user_pool.user_pool_id,
                username=email,
                user_attributes=[
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email", value=email),
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email_verified", value="true"),
                ],
                desired_delivery_mediums=["EMAIL"],
            )

    @property
    def issuer_url(self) -> str:
        return self.user_pool.user_pool_provider_url
