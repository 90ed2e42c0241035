// The envelope's own values as Digital River writes them: createdTime to the microsecond, and the webhook's API version.
import { UsageError } from '../base/errors.js';

/**
 * The API version events are generated for when none is set: the newest dated version of Digital River's docs
 * (general-resources/release-notes/2021.md, "In version 2021-12-13"; its OpenAPI description is 2021-12-13.json).
 * A webhook is assigned one version (administration/dashboard/developers/webhooks/README.md), so every event of a
 * run carries the same one.
 */
export const currentApiVersion = '2021-12-13';

/** The length of an envelope createdTime: `2022-03-17T16:23:29.233283Z`. */
export const envelopeTimeWidth = 27;

/**
 * An envelope's createdTime: `at` with six fractional digits, as the docs' examples show (2022-03-17T16:23:29.233283Z),
 * `micros` (0–999) the digits after `at`'s milliseconds. Times inside data.object are whole seconds instead.
 */
export function envelopeTime(at: Date, micros: number): string {
  return withMicros(at.toISOString(), micros);
}

/** `iso` (toISOString's `…:29.233Z`) with three more fractional digits, `micros` (0–999): `…:29.233283Z`. */
export function withMicros(iso: string, micros: number): string {
  return `${iso.slice(0, -1)}${micros < 10 ? '00' : micros < 100 ? '0' : ''}${micros}Z`;
}

/** A Digital River API version is a date (2021-12-13); anything else is a usage error. */
export function checkApiVersion(version: string, where = 'digitalriverVersion'): string {
  if (typeof version !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(version)) {
    throw new UsageError(`${where} must be an API version date such as ${currentApiVersion}, got '${String(version)}'`);
  }
  return version;
}
