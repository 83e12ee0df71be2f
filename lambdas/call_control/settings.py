"""The call-control Lambdas' settings: read from the environment once, validated, typed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from call_control.actions import SPEAK_TEXT_LIMIT
from calls import schema
from calls.phone_numbers import ENV_VAR as DIAL_POLICY_ENV
from calls.phone_numbers import DialPolicy, PolicyError
from calls.regions import MEDIA_REGIONS, control_region_for
from calls.regions import MEETINGS_CONTROL_REGIONS as CONTROL_REGIONS

DEFAULT_VOICE = "Joanna"
DEFAULT_LANGUAGE = "en-US"
DEFAULT_WAIT_TIMEOUT_SECONDS = 300
DEFAULT_RETENTION_DAYS = 90
DEFAULT_TIMEOUT_MESSAGE = (
    "Sorry, nobody is available to take your call right now. Please try again later. Goodbye."
)
DEFAULT_APOLOGY_MESSAGE = "Sorry, something went wrong on our side. Please try again later. Goodbye."

_VOICE = re.compile(r"^[A-Z][A-Za-z]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class SettingsError(ValueError):
    """The environment is unusable; `problems` names every bad variable, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Greeting:
    """What a caller hears before joining: spoken text, a WAV file from S3, or nothing."""

    text: str | None = None
    audio_bucket: str | None = None
    audio_key: str | None = None


@dataclass(frozen=True, slots=True)
class Voice:
    voice_id: str = DEFAULT_VOICE
    language_code: str = DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Settings:
    calls_table: str
    media_region: str
    control_region: str
    sma_id: str | None
    greeting: Greeting
    voice: Voice
    wait_timeout: timedelta
    timeout_message: str
    apology_message: str
    retention: timedelta
    dial_policy: DialPolicy = field(default_factory=DialPolicy)  # where transfers may go; empty: nowhere


# What a caller hears when the settings themselves are broken: nothing configurable can be trusted.
FALLBACK_VOICE = Voice()
FALLBACK_APOLOGY = DEFAULT_APOLOGY_MESSAGE


def _text(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def _integer(
    env: Mapping[str, str], name: str, default: int, *, bounds: tuple[int, int], problems: list[str]
) -> int:
    low, high = bounds
    raw = _text(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name} must be a whole number, not {raw!r}")
        return default
    if not low <= value <= high:
        problems.append(f"{name} must be between {low} and {high}, not {value}")
    return value


def _spoken(env: Mapping[str, str], name: str, default: str, problems: list[str]) -> str:
    value = _text(env, name) or default
    if len(value) > SPEAK_TEXT_LIMIT:
        problems.append(f"{name} is {len(value)} characters; Speak takes at most {SPEAK_TEXT_LIMIT}")
    return value


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate the environment once; SettingsError lists every problem, not just the first."""
    problems: list[str] = []
    table = _text(env, schema.TABLE_ENV)
    if not table:
        problems.append(f"{schema.TABLE_ENV} is required (the calls table's name)")
    media_region = _text(env, "MEETING_REGION")
    if media_region not in MEDIA_REGIONS:
        problems.append(f"MEETING_REGION must be a Chime SDK media Region, not {media_region!r}")
    control_region = _text(env, "MEETINGS_CONTROL_REGION")
    if control_region:
        if control_region not in CONTROL_REGIONS:
            problems.append(
                f"MEETINGS_CONTROL_REGION must be one of {', '.join(sorted(CONTROL_REGIONS))}, "
                f"not {control_region!r}"
            )
    else:
        control_region = control_region_for(_text(env, "AWS_REGION"))
    sma_id = _text(env, "SMA_ID") or None

    greeting_text = _spoken(env, "GREETING_TEXT", "", problems) or None
    bucket = _text(env, "GREETING_AUDIO_BUCKET") or None
    key = _text(env, "GREETING_AUDIO_KEY") or None
    if (bucket is None) != (key is None):
        problems.append("GREETING_AUDIO_BUCKET and GREETING_AUDIO_KEY go together: set both or neither")
    if bucket is not None and not _BUCKET.match(bucket):
        problems.append(f"GREETING_AUDIO_BUCKET is not an S3 bucket name: {bucket!r}")
    with_audio = bool(bucket and key)
    greeting = Greeting(audio_bucket=bucket, audio_key=key) if with_audio else Greeting(text=greeting_text)

    voice_id = _text(env, "GREETING_VOICE") or DEFAULT_VOICE
    if not _VOICE.match(voice_id):
        problems.append(f"GREETING_VOICE must be an Amazon Polly voice id such as Joanna, not {voice_id!r}")
    language = _text(env, "GREETING_LANGUAGE") or DEFAULT_LANGUAGE
    if not _LANGUAGE.match(language):
        problems.append(f"GREETING_LANGUAGE must be a Polly language code such as en-US, not {language!r}")

    wait = _integer(
        env, "WAIT_TIMEOUT_SECONDS", DEFAULT_WAIT_TIMEOUT_SECONDS, bounds=(30, 86_400), problems=problems
    )
    retention_days = _integer(
        env, "CALL_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, bounds=(1, 3650), problems=problems
    )
    timeout_message = _spoken(env, "TIMEOUT_MESSAGE", DEFAULT_TIMEOUT_MESSAGE, problems)
    apology_message = _spoken(env, "APOLOGY_MESSAGE", DEFAULT_APOLOGY_MESSAGE, problems)
    dial_policy = DialPolicy()
    try:
        dial_policy = DialPolicy.from_json(env.get(DIAL_POLICY_ENV, ""))
    except PolicyError as error:
        problems.append(f"{DIAL_POLICY_ENV} {error}")
    if problems:
        raise SettingsError(problems)
    return Settings(
        calls_table=table,
        media_region=media_region,
        control_region=control_region,
        sma_id=sma_id,
        greeting=greeting,
        voice=Voice(voice_id=voice_id, language_code=language),
        wait_timeout=timedelta(seconds=wait),
        timeout_message=timeout_message,
        apology_message=apology_message,
        retention=timedelta(days=retention_days),
        dial_policy=dial_policy,
    )
