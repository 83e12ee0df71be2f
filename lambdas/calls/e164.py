"""The E.164 shape alone, with no third-party import: for numbers AWS hands us, and for the custom-resource
provider, whose asset carries no packages. Whether a number is valid or may be dialled: calls.phone_numbers."""

from __future__ import annotations

MAX_DIGITS = 15  # ITU-T E.164: country code and subscriber number together
ASCII_DIGITS = frozenset("0123456789")  # str.isdigit() and regex \d also accept other scripts' digits


def is_e164(text: str) -> bool:
    """ "+", a non-zero ASCII digit, up to 15 ASCII digits in all. Not libphonenumber's ranges: a library
    older than AWS's numbering data must not make our own number or an event's caller id unusable."""
    digits = text[1:]
    return (
        text.startswith("+")
        and 2 <= len(digits) <= MAX_DIGITS
        and set(digits) <= ASCII_DIGITS
        and digits[0] != "0"
    )
