/**
 * Phone numbers for people: shown national for the line's own country, international otherwise, and
 * typed numbers checked before they are sent, by the server's rules (lambdas/calls/phone_numbers.py):
 * E.164 in ASCII digits only, a number libphonenumber calls valid. The `min` metadata keeps the bundle
 * small; it checks lengths and ranges per country less strictly than the server's full metadata, so
 * the server still has the last word (and says why).
 */

import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";

interface Home {
  callingCode: string;
  country: CountryCode | undefined;
}

let home: Home | null = null;

/** The line's own number (a call's `to` inbound, `from` outbound): its country is shown national. */
export function setLineNumber(e164: string | null): void {
  const parsed = e164 ? parsePhoneNumberFromString(e164) : undefined;
  home = parsed ? { callingCode: parsed.countryCallingCode, country: parsed.country } : null;
}

/** +12065550123 → (206) 555-0123 on a US line; +442071838750 → +44 20 7183 8750. Unreadable text stays as it is. */
export function formatPhone(e164: string): string {
  const parsed = /^\+[0-9]+$/.test(e164) ? parsePhoneNumberFromString(e164) : undefined;
  if (!parsed) return e164;
  const sameCode = home !== null && parsed.countryCallingCode === home.callingCode;
  // A number with no country in the metadata (test ranges such as +1 555) reads as its calling code's.
  const domestic = sameCode && (parsed.country === home?.country || !parsed.country || !home?.country);
  return domestic ? parsed.formatNational() : parsed.formatInternational();
}

export type TypedNumber = { ok: true; e164: string } | { ok: false; reason: string };

/** What an agent typed, as the E.164 the API accepts, or why not (in words for the agent). */
export function parseTypedNumber(text: string): TypedNumber {
  const compact = text.trim().replace(/[ ().-]/g, "");
  if (!compact) return { ok: false, reason: "Enter a number in international format, e.g. +1 206 555 0123." };
  // Checked before any parsing: libphonenumber would read full-width digits as ASCII ones.
  if (!/^[\x20-\x7e]*$/.test(compact)) {
    return { ok: false, reason: "Use the digits 0-9 only: other scripts' or full-width digits are refused." };
  }
  if (!compact.startsWith("+")) {
    return { ok: false, reason: "Enter the number in international format, starting with + and the country code, e.g. +1 206 555 0123." };
  }
  if (!/^\+[1-9][0-9]{1,14}$/.test(compact)) {
    return { ok: false, reason: "After the +, use only digits (spaces, dashes and brackets are fine), at most 15." };
  }
  const parsed = parsePhoneNumberFromString(compact);
  if (!parsed || !parsed.isValid() || parsed.number !== compact) {
    return { ok: false, reason: `${text.trim()} is not a valid phone number. Check the country code and the digits.` };
  }
  return { ok: true, e164: parsed.number };
}
