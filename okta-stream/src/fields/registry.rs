//! The registry table: every `okta.*` field, one row each, with its extractor.
//!
//! Rows are grouped as in the field reference (`docs/fields.md`): the fields of Falco's Okta plugin
//! (v0.12) first within each group, then the fields beyond it. Extractors are small functions
//! built from the helpers in [`super::extract`]; each reads one top-level member of the event
//! and, inside it, only the path it needs.

use std::borrow::Cow;

use super::extract::{
    absent, app_name, boolean, check_pointer, empty, find_target, nth_target, pointer, string_list,
    target_list, value_text, TargetKey,
};
use super::generic::{self, Shown};
use super::state::MfaKind;
use super::{Arg, ArgCheck, ArgKind, Extractor, FieldDef, FieldType, Missing, Reader, Value};
use crate::event::{number_u64, Top};

use ArgKind::None as NoArg;
use FieldType::{Bool, StringList, U64};
use Missing::{Absent, Empty};

const STR: FieldType = FieldType::String;
const INDEX: ArgKind = ArgKind::Index { required: true };
const KEY: ArgKind = ArgKind::Key { required: true };
const FALCO: bool = true;
const OURS: bool = false;

/// One row (a `const fn` so that the table stays a plain static).
const fn row(
    name: &'static str,
    ty: FieldType,
    arg: ArgKind,
    missing: Missing,
    falco: bool,
    description: &'static str,
    extract: Extractor,
) -> FieldDef {
    FieldDef {
        name,
        ty,
        arg,
        description,
        missing,
        falco,
        extract,
        check: ArgCheck::Any,
        only_on: None,
        shown: Shown::Plain,
    }
}

/// A row whose argument is validated further at resolve time.
const fn checked(def: FieldDef, check: ArgCheck) -> FieldDef {
    FieldDef { check, ..def }
}

/// A row whose values are shown as `shown` (see [`FieldDef::shown`]).
const fn shown(def: FieldDef, shown: Shown) -> FieldDef {
    FieldDef { shown, ..def }
}

/// A row whose field has a value only on events of the given types (see [`FieldDef::only_on`]).
const fn only_on(def: FieldDef, types: &'static [&'static str]) -> FieldDef {
    FieldDef {
        only_on: Some(types),
        ..def
    }
}

/// Every field, in documentation order.
#[rustfmt::skip]
pub static REGISTRY: &[FieldDef] = &[
    // ── Event ───────────────────────────────────────────────────────────────────────────────
    row("okta.evt.type", STR, NoArg, Empty, FALCO,
        "Event type (`eventType`), e.g. `user.session.start`",
        |r, _| empty(r.at(Top::EventType, &[]))),
    row("okta.evt.legacytype", STR, NoArg, Empty, FALCO,
        "Legacy event type (`legacyEventType`), e.g. `core.user_auth.login_success`",
        |r, _| empty(r.at(Top::LegacyEventType, &[]))),
    row("okta.severity", STR, NoArg, Empty, FALCO,
        "Severity (`severity`): DEBUG, INFO, WARN or ERROR",
        |r, _| empty(r.at(Top::Severity, &[]))),
    row("okta.message", STR, NoArg, Empty, FALCO,
        "Human-readable message (`displayMessage`)",
        |r, _| empty(r.at(Top::DisplayMessage, &[]))),
    row("okta.published", STR, NoArg, Empty, FALCO,
        "Event time as written (`published`), e.g. `2024-08-13T15:58:20.353Z`",
        |r, _| empty(r.at(Top::Published, &[]))),
    row("okta.org", STR, NoArg, Empty, FALCO,
        "The Okta org the event came from, as configured on the source",
        |r, _| Some(Value::Str(Cow::Borrowed(r.event().org().unwrap_or(""))))),
    row("okta.uuid", STR, NoArg, Absent, OURS,
        "Unique event id (`uuid`)",
        |r, _| absent(r.at(Top::Uuid, &[]))),
    row("okta.version", STR, NoArg, Absent, OURS,
        "Event schema version (`version`); the number 0 reads as `0`",
        |r, _| absent(r.at(Top::Version, &[]))),
    row("okta.published.ts", U64, NoArg, Absent, OURS,
        "Event time (`published`) as nanoseconds since the Unix epoch; absent when it does not parse as RFC 3339",
        |r, _| r.event().published_ns().and_then(|ns| u64::try_from(ns).ok()).map(Value::U64)),
    // ── Actor ───────────────────────────────────────────────────────────────────────────────
    row("okta.actor.id", STR, NoArg, Empty, FALCO,
        "Actor id (`actor.id`)",
        |r, _| empty(r.at(Top::Actor, &["id"]))),
    row("okta.actor.Type", STR, NoArg, Empty, FALCO,
        "Actor type (`actor.type`), e.g. `User`, `SystemPrincipal` (capital T, as in Falco)",
        |r, _| empty(r.at(Top::Actor, &["type"]))),
    row("okta.actor.alternateid", STR, NoArg, Empty, FALCO,
        "Actor alternate id (`actor.alternateId`), usually the login",
        |r, _| empty(r.at(Top::Actor, &["alternateId"]))),
    row("okta.actor.name", STR, NoArg, Empty, FALCO,
        "Actor display name (`actor.displayName`)",
        |r, _| empty(r.at(Top::Actor, &["displayName"]))),
    // ── Client ──────────────────────────────────────────────────────────────────────────────
    row("okta.client.zone", STR, NoArg, Empty, FALCO,
        "Network zone (`client.zone`); often the literal string `null`, kept as is",
        |r, _| empty(r.at(Top::Client, &["zone"]))),
    row("okta.client.ip", STR, NoArg, Empty, FALCO,
        "Client IP address (`client.ipAddress`); may be the literal string `null`, kept as is",
        |r, _| empty(r.at(Top::Client, &["ipAddress"]))),
    row("okta.client.device", STR, NoArg, Empty, FALCO,
        "Client device class (`client.device`), e.g. `Computer`, `Mobile`",
        |r, _| empty(r.at(Top::Client, &["device"]))),
    row("okta.client.id", STR, NoArg, Empty, FALCO,
        "Client id (`client.id`): OAuth client id or agent id",
        |r, _| empty(r.at(Top::Client, &["id"]))),
    row("okta.client.geo.city", STR, NoArg, Empty, FALCO,
        "City (`client.geographicalContext.city`)",
        |r, _| empty(r.at(Top::Client, &["geographicalContext", "city"]))),
    row("okta.client.geo.state", STR, NoArg, Empty, FALCO,
        "State or region (`client.geographicalContext.state`)",
        |r, _| empty(r.at(Top::Client, &["geographicalContext", "state"]))),
    row("okta.client.geo.country", STR, NoArg, Empty, FALCO,
        "Country (`client.geographicalContext.country`)",
        |r, _| empty(r.at(Top::Client, &["geographicalContext", "country"]))),
    row("okta.client.geo.postalcode", STR, NoArg, Empty, FALCO,
        "Postal code (`client.geographicalContext.postalCode`); a number reads as its digits",
        |r, _| empty(r.at(Top::Client, &["geographicalContext", "postalCode"]))),
    row("okta.client.geo.lat", STR, NoArg, Empty, FALCO,
        "Latitude (`client.geographicalContext.geolocation.lat`) as written in the event",
        |r, _| empty(r.at(Top::Client, &["geographicalContext", "geolocation", "lat"]))),
    row("okta.client.geo.lon", STR, NoArg, Empty, FALCO,
        "Longitude (`client.geographicalContext.geolocation.lon`) as written in the event",
        |r, _| empty(r.at(Top::Client, &["geographicalContext", "geolocation", "lon"]))),
    row("okta.useragent.os", STR, NoArg, Empty, FALCO,
        "User agent OS (`client.userAgent.os`)",
        |r, _| empty(r.at(Top::Client, &["userAgent", "os"]))),
    row("okta.useragent.browser", STR, NoArg, Empty, FALCO,
        "User agent browser (`client.userAgent.browser`), e.g. `CHROME`",
        |r, _| empty(r.at(Top::Client, &["userAgent", "browser"]))),
    row("okta.useragent.raw", STR, NoArg, Empty, FALCO,
        "Raw user agent (`client.userAgent.rawUserAgent`)",
        |r, _| empty(r.at(Top::Client, &["userAgent", "rawUserAgent"]))),
    // ── Outcome and transaction ─────────────────────────────────────────────────────────────
    row("okta.result", STR, NoArg, Empty, FALCO,
        "Outcome (`outcome.result`), e.g. `SUCCESS`, `FAILURE`, `DENY`",
        |r, _| empty(r.at(Top::Outcome, &["result"]))),
    row("okta.reason", STR, NoArg, Empty, FALCO,
        "Outcome reason (`outcome.reason`), e.g. `INVALID_CREDENTIALS`",
        |r, _| empty(r.at(Top::Outcome, &["reason"]))),
    row("okta.transaction.id", STR, NoArg, Empty, FALCO,
        "Transaction id (`transaction.id`)",
        |r, _| empty(r.at(Top::Transaction, &["id"]))),
    row("okta.transaction.type", STR, NoArg, Empty, FALCO,
        "Transaction type (`transaction.type`): `WEB` or `JOB`",
        |r, _| empty(r.at(Top::Transaction, &["type"]))),
    row("okta.transaction.detail", STR, KEY, Absent, OURS,
        "A key of `transaction.detail`, e.g. `okta.transaction.detail[requestApiTokenId]`; non-strings as compact JSON",
        |r, arg| absent(r.at(Top::Transaction, &["detail", key(arg)?]))),
    // ── Debug data ──────────────────────────────────────────────────────────────────────────
    row("okta.app", STR, NoArg, Absent, FALCO,
        "Application name from a request URI of the form `/app/<name>/...` (`debugContext.debugData.requestUri`); absent otherwise",
        |r, _| {
            let uri = r.at(Top::DebugContext, &["debugData", "requestUri"]).and_then(|c| c.string())?;
            Some(Value::Str(match uri {
                Cow::Borrowed(b) => Cow::Borrowed(app_name(b)?),
                Cow::Owned(o) => Cow::Owned(app_name(&o)?.to_string()),
            }))
        }),
    row("okta.requesturi", STR, NoArg, Empty, FALCO,
        "Request URI (`debugContext.debugData.requestUri`)",
        |r, _| empty(r.at(Top::DebugContext, &["debugData", "requestUri"]))),
    row("okta.behaviors", STR, NoArg, Empty, FALCO,
        "Behaviour verdicts (`debugContext.debugData.behaviors`), e.g. `{New Device=POSITIVE, ...}`",
        |r, _| empty(r.at(Top::DebugContext, &["debugData", "behaviors"]))),
    row("okta.logonlysecuritydata", STR, NoArg, Empty, FALCO,
        "Log-only security data (`debugContext.debugData.logOnlySecurityData`), a JSON document in a string",
        |r, _| empty(r.at(Top::DebugContext, &["debugData", "logOnlySecurityData"]))),
    row("okta.principal.id", STR, NoArg, Empty, FALCO,
        "Original principal id (`debugContext.debugData.originalPrincipal.id`): the admin behind an impersonated action",
        |r, _| empty(r.at(Top::DebugContext, &["debugData", "originalPrincipal", "id"]))),
    row("okta.principal.alternateid", STR, NoArg, Empty, FALCO,
        "Original principal alternate id (`debugContext.debugData.originalPrincipal.alternateId`)",
        |r, _| empty(r.at(Top::DebugContext, &["debugData", "originalPrincipal", "alternateId"]))),
    row("okta.principal.type", STR, NoArg, Empty, FALCO,
        "Original principal type (`debugContext.debugData.originalPrincipal.type`)",
        |r, _| empty(r.at(Top::DebugContext, &["debugData", "originalPrincipal", "type"]))),
    row("okta.principal.name", STR, NoArg, Empty, FALCO,
        "Original principal display name (`debugContext.debugData.originalPrincipal.displayName`)",
        |r, _| empty(r.at(Top::DebugContext, &["debugData", "originalPrincipal", "displayName"]))),
    checked(row("okta.debug", STR, KEY, Absent, OURS,
        "Any key of `debugContext.debugData`, e.g. `okta.debug[dtHash]`: strings as they are, other values as compact JSON",
        |r, arg| absent(r.at(Top::DebugContext, &["debugData", key(arg)?]))),
        ArgCheck::NonEmpty),
    // ── Authentication ──────────────────────────────────────────────────────────────────────
    row("okta.authentication.step", STR, NoArg, Empty, FALCO,
        "Authentication step (`authenticationContext.authenticationStep`), a JSON number read as text (`0`), as the plugin declares it a string",
        |r, _| empty(r.at(Top::AuthenticationContext, &["authenticationStep"]))),
    row("okta.authentication.sessionid", STR, NoArg, Empty, FALCO,
        "Session id (`authenticationContext.externalSessionId`)",
        |r, _| empty(r.at(Top::AuthenticationContext, &["externalSessionId"]))),
    row("okta.authentication.provider", STR, NoArg, Empty, FALCO,
        "Authentication provider (`authenticationContext.authenticationProvider`), e.g. `ACTIVE_DIRECTORY`",
        |r, _| empty(r.at(Top::AuthenticationContext, &["authenticationProvider"]))),
    row("okta.authentication.credentialprovider", STR, NoArg, Empty, FALCO,
        "Credential provider (`authenticationContext.credentialProvider`), e.g. `OKTA_CREDENTIAL_PROVIDER`",
        |r, _| empty(r.at(Top::AuthenticationContext, &["credentialProvider"]))),
    row("okta.authentication.rootsessionid", STR, NoArg, Absent, OURS,
        "Root session id (`authenticationContext.rootSessionId`), shared by sessions of one root session",
        |r, _| absent(r.at(Top::AuthenticationContext, &["rootSessionId"]))),
    row("okta.authentication.credentialtype", STR, NoArg, Absent, OURS,
        "Credential type (`authenticationContext.credentialType`), e.g. `PASSWORD`, `ASSERTION`",
        |r, _| absent(r.at(Top::AuthenticationContext, &["credentialType"]))),
    row("okta.authentication.interface", STR, NoArg, Absent, OURS,
        "Third-party interface (`authenticationContext.interface`), e.g. `Outlook`",
        |r, _| absent(r.at(Top::AuthenticationContext, &["interface"]))),
    row("okta.authentication.issuer.id", STR, NoArg, Absent, OURS,
        "Issuer id (`authenticationContext.issuer.id`)",
        |r, _| absent(r.at(Top::AuthenticationContext, &["issuer", "id"]))),
    row("okta.authentication.issuer.type", STR, NoArg, Absent, OURS,
        "Issuer type (`authenticationContext.issuer.type`)",
        |r, _| absent(r.at(Top::AuthenticationContext, &["issuer", "type"]))),
    // ── Security context ────────────────────────────────────────────────────────────────────
    row("okta.security.asnumber", U64, NoArg, Empty, FALCO,
        "Autonomous system number (`securityContext.asNumber`); 0 when missing",
        |r, _| Some(Value::U64(r.at(Top::SecurityContext, &["asNumber"]).and_then(|c| number_u64(c.text())).unwrap_or(0)))),
    row("okta.security.asorg", STR, NoArg, Empty, FALCO,
        "Autonomous system organisation (`securityContext.asOrg`)",
        |r, _| empty(r.at(Top::SecurityContext, &["asOrg"]))),
    row("okta.security.isp", STR, NoArg, Empty, FALCO,
        "Internet service provider (`securityContext.isp`)",
        |r, _| empty(r.at(Top::SecurityContext, &["isp"]))),
    row("okta.security.domain", STR, NoArg, Empty, FALCO,
        "Domain of the client address (`securityContext.domain`)",
        |r, _| empty(r.at(Top::SecurityContext, &["domain"]))),
    row("okta.security.isproxy", Bool, NoArg, Absent, FALCO,
        "Whether the client is a known proxy (`securityContext.isProxy`, a JSON boolean; the strings `true`/`false` too); absent when unknown (null)",
        |r, _| boolean(r.at(Top::SecurityContext, &["isProxy"]))),
    row("okta.security.risk.level", STR, NoArg, Absent, OURS,
        "Risk level (`securityContext.risk.level`): LOW, MEDIUM or HIGH",
        |r, _| absent(r.at(Top::SecurityContext, &["risk", "level"]))),
    row("okta.security.risk.previouslevel", STR, NoArg, Absent, OURS,
        "Previous risk level (`securityContext.risk.previousLevel`)",
        |r, _| absent(r.at(Top::SecurityContext, &["risk", "previousLevel"]))),
    row("okta.security.risk.reasons", StringList, NoArg, Absent, OURS,
        "Risk reasons (`securityContext.risk.reasons[]`)",
        |r, _| string_list(r.at(Top::SecurityContext, &["risk", "reasons"]))),
    row("okta.security.risk.detection", STR, NoArg, Absent, OURS,
        "Detection name (`securityContext.risk.detectionName`), e.g. `Suspected Session Hijacking`",
        |r, _| absent(r.at(Top::SecurityContext, &["risk", "detectionName"]))),
    row("okta.security.botprotection.level", STR, NoArg, Absent, OURS,
        "Bot protection level (`securityContext.botProtection.level`)",
        |r, _| absent(r.at(Top::SecurityContext, &["botProtection", "level"]))),
    // ── Device ──────────────────────────────────────────────────────────────────────────────
    row("okta.device.id", STR, NoArg, Absent, OURS,
        "Okta Verify device id (`device.id`)",
        |r, _| absent(r.at(Top::Device, &["id"]))),
    row("okta.device.name", STR, NoArg, Absent, OURS,
        "Device name (`device.name`), e.g. `MacBookPro16,1`",
        |r, _| absent(r.at(Top::Device, &["name"]))),
    row("okta.device.os_platform", STR, NoArg, Absent, OURS,
        "Device OS platform (`device.os_platform`), e.g. `OSX`",
        |r, _| absent(r.at(Top::Device, &["os_platform"]))),
    row("okta.device.os_version", STR, NoArg, Absent, OURS,
        "Device OS version (`device.os_version`)",
        |r, _| absent(r.at(Top::Device, &["os_version"]))),
    row("okta.device.managed", Bool, NoArg, Absent, OURS,
        "Whether the device is managed (`device.managed`)",
        |r, _| boolean(r.at(Top::Device, &["managed"]))),
    row("okta.device.registered", Bool, NoArg, Absent, OURS,
        "Whether the device is registered (`device.registered`)",
        |r, _| boolean(r.at(Top::Device, &["registered"]))),
    row("okta.device.disk_encryption_type", STR, NoArg, Absent, OURS,
        "Disk encryption (`device.disk_encryption_type`), e.g. `ALL_INTERNAL_VOLUMES`, `NONE`",
        |r, _| absent(r.at(Top::Device, &["disk_encryption_type"]))),
    row("okta.device.screen_lock_type", STR, NoArg, Absent, OURS,
        "Screen lock (`device.screen_lock_type`): `NONE`, `PASSCODE` or `BIOMETRIC`",
        |r, _| absent(r.at(Top::Device, &["screen_lock_type"]))),
    row("okta.device.jailbreak", Bool, NoArg, Absent, OURS,
        "Whether the device is jailbroken (`device.jailbreak`)",
        |r, _| boolean(r.at(Top::Device, &["jailbreak"]))),
    row("okta.device.secure_hardware_present", Bool, NoArg, Absent, OURS,
        "Whether the device has secure hardware (`device.secure_hardware_present`)",
        |r, _| boolean(r.at(Top::Device, &["secure_hardware_present"]))),
    // ── Request ─────────────────────────────────────────────────────────────────────────────
    row("okta.request.ipchain", StringList, NoArg, Absent, OURS,
        "IP addresses of `request.ipChain[].ip`, client first (event-hook payloads: `client.ipChain`)",
        |r, _| ip_chain(r)),
    // ── Targets ─────────────────────────────────────────────────────────────────────────────
    row("okta.target.user.id", STR, NoArg, Absent, FALCO,
        "Id of the first target of type `User`",
        |r, _| typed(r, "User", TargetKey::Id)),
    row("okta.target.user.alternateid", STR, NoArg, Absent, FALCO,
        "Alternate id (login) of the first target of type `User`",
        |r, _| typed(r, "User", TargetKey::AlternateId)),
    row("okta.target.user.name", STR, NoArg, Absent, FALCO,
        "Display name of the first target of type `User`",
        |r, _| typed(r, "User", TargetKey::DisplayName)),
    row("okta.target.group.id", STR, NoArg, Absent, FALCO,
        "Id of the first target of type `UserGroup`",
        |r, _| typed(r, "UserGroup", TargetKey::Id)),
    row("okta.target.group.alternateid", STR, NoArg, Absent, FALCO,
        "Alternate id of the first target of type `UserGroup`",
        |r, _| typed(r, "UserGroup", TargetKey::AlternateId)),
    row("okta.target.group.name", STR, NoArg, Absent, FALCO,
        "Display name of the first target of type `UserGroup`",
        |r, _| typed(r, "UserGroup", TargetKey::DisplayName)),
    row("okta.target.app.alternateid", STR, NoArg, Absent, FALCO,
        "Alternate id of the first target of type `AppInstance`",
        |r, _| typed(r, "AppInstance", TargetKey::AlternateId)),
    row("okta.targets.displayName", STR, INDEX, Absent, FALCO,
        "Display name of the i-th target (from 0), e.g. `okta.targets.displayName[0]`",
        |r, arg| indexed(r, arg, TargetKey::DisplayName)),
    row("okta.targets.type", STR, INDEX, Absent, OURS,
        "Type of the i-th target (from 0)",
        |r, arg| indexed(r, arg, TargetKey::Type)),
    row("okta.targets.id", STR, INDEX, Absent, OURS,
        "Id of the i-th target (from 0)",
        |r, arg| indexed(r, arg, TargetKey::Id)),
    row("okta.targets.alternateid", STR, INDEX, Absent, OURS,
        "Alternate id of the i-th target (from 0)",
        |r, arg| indexed(r, arg, TargetKey::AlternateId)),
    row("okta.target.type", StringList, NoArg, Absent, OURS,
        "Types of all targets, in order, e.g. `okta.target.type intersects (AppInstance, UserGroup)`",
        |r, _| target_list(r.event(), TargetKey::Type)),
    checked(row("okta.target.id", STR, KEY, Absent, OURS,
        "Id of the first target of the given type, e.g. `okta.target.id[AppInstance]`, `okta.target.id[URL Pattern]`",
        |r, arg| typed(r, key(arg)?, TargetKey::Id)),
        ArgCheck::NonEmpty),
    checked(row("okta.target.name", STR, KEY, Absent, OURS,
        "Display name of the first target of the given type, e.g. `okta.target.name[AppInstance]`",
        |r, arg| typed(r, key(arg)?, TargetKey::DisplayName)),
        ArgCheck::NonEmpty),
    checked(row("okta.target.alternateid", STR, KEY, Absent, OURS,
        "Alternate id of the first target of the given type, e.g. `okta.target.alternateid[User]`",
        |r, arg| typed(r, key(arg)?, TargetKey::AlternateId)),
        ArgCheck::NonEmpty),
    // ── Counters ────────────────────────────────────────────────────────────────────────────
    only_on(checked(row("okta.mfa.failure.countlast", U64, INDEX, Absent, FALCO,
        "On an MFA failure (`user.authentication.auth_via_mfa` with outcome FAILURE): the actor's MFA failures in the last N seconds of event time, this one included",
        |r, arg| mfa_count(r, arg, MfaKind::Failure)),
        ArgCheck::Positive), &[MfaKind::Failure.event_type()]),
    only_on(checked(row("okta.mfa.deny.countlast", U64, INDEX, Absent, FALCO,
        "On a denied push (`user.mfa.okta_verify.deny_push`): the actor's denied pushes in the last N seconds of event time, this one included",
        |r, arg| mfa_count(r, arg, MfaKind::Deny)),
        ArgCheck::Positive), &[MfaKind::Deny.event_type()]),
    // ── Any property ────────────────────────────────────────────────────────────────────────
    checked(row("okta.json", STR, KEY, Absent, OURS,
        "Any value by RFC 6901 JSON pointer, e.g. `okta.json[/debugContext/debugData/risk]`, `okta.json[/target/0/type]`: strings as they are, other values as compact JSON",
        |r, arg| absent(pointer(r.event(), key(arg)?))),
        ArgCheck::JsonPointer),
    // ── Generic event fields (Falco's `evt.*`, for every plugin source) ─────────────────────
    row("evt.num", U64, NoArg, Absent, FALCO,
        "Event number: the event's position in the stream, from 1",
        generic::num),
    shown(row("evt.time", STR, NoArg, Absent, FALCO,
        "Event time (`published`) as `HH:MM:SS.nnnnnnnnn` in UTC; in JSON `output_fields`, nanoseconds since the epoch",
        generic::time), Shown::TimeNs),
    shown(row("evt.time.s", STR, NoArg, Absent, FALCO,
        "Event time as `HH:MM:SS` in UTC",
        generic::time_s), Shown::TimeNs),
    shown(row("evt.time.iso8601", STR, NoArg, Absent, FALCO,
        "Event time as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`",
        generic::time_iso8601), Shown::TimeNs),
    shown(row("evt.datetime", STR, NoArg, Absent, FALCO,
        "Event time as `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` in UTC",
        generic::datetime), Shown::TimeNs),
    shown(row("evt.datetime.s", STR, NoArg, Absent, FALCO,
        "Event time as `YYYY-MM-DD HH:MM:SS` in UTC",
        generic::datetime_s), Shown::TimeNs),
    row("evt.rawtime", U64, NoArg, Absent, FALCO,
        "Event time as nanoseconds since the Unix epoch",
        generic::rawtime),
    row("evt.rawtime.s", U64, NoArg, Absent, FALCO,
        "Event time as whole seconds since the Unix epoch",
        generic::rawtime_s),
    shown(row("evt.rawtime.ns", U64, NoArg, Absent, FALCO,
        "Nanosecond part of the event time (9 digits in outputs)",
        generic::rawtime_ns), Shown::Padded9),
    shown(row("evt.reltime", U64, NoArg, Absent, FALCO,
        "Nanoseconds since the first event of the stream (0 for events published before it; 9 digits at least in outputs)",
        generic::reltime_all), Shown::Padded9),
    row("evt.reltime.s", U64, NoArg, Absent, FALCO,
        "Whole seconds since the first event of the stream",
        generic::reltime_s),
    shown(row("evt.reltime.ns", U64, NoArg, Absent, FALCO,
        "Nanosecond part of the time since the first event of the stream (9 digits in outputs)",
        generic::reltime_ns), Shown::Padded9),
    row("evt.pluginname", STR, NoArg, Absent, FALCO,
        "The plugin that produced the event: `okta`",
        generic::okta),
    row("evt.plugininfo", STR, NoArg, Absent, FALCO,
        "The plugin's summary of the event: the event's JSON, as Falco's Okta plugin gives it",
        generic::plugininfo),
    row("evt.source", STR, NoArg, Absent, FALCO,
        "The event source: `okta`",
        generic::okta),
    row("evt.is_async", Bool, NoArg, Absent, FALCO,
        "Whether the event is asynchronous: always `false` for plugin events",
        generic::is_async),
    row("evt.asynctype", STR, NoArg, Absent, FALCO,
        "The type of an asynchronous event: always absent for plugin events",
        generic::asynctype),
    row("evt.hostname", STR, NoArg, Absent, FALCO,
        "The host name of the pipeline (the JSON alert's `hostname`); absent when the consumer set none",
        generic::hostname),
];

/// The string argument of a keyed field.
#[inline]
fn key(arg: &Arg) -> Option<&str> {
    match arg {
        Arg::Key(k) => Some(k),
        _ => None,
    }
}

/// A target field by type: absent without such a target, `""` when the target lacks the key.
#[inline]
fn typed<'e>(r: &Reader<'e, '_>, ty: &str, key: TargetKey) -> Option<Value<'e>> {
    empty(find_target(r.event(), ty, key)?)
}

/// A target field by position: absent without such a target, `""` when it lacks the key.
#[inline]
fn indexed<'e>(r: &Reader<'e, '_>, arg: &Arg, key: TargetKey) -> Option<Value<'e>> {
    let Arg::Index(i) = arg else { return None };
    empty(nth_target(r.event(), *i, key)?)
}

fn mfa_count(r: &Reader<'_, '_>, arg: &Arg, kind: MfaKind) -> Option<Value<'static>> {
    let Arg::Index(n) = arg else { return None };
    r.state().mfa_count(r.event(), kind, *n).map(Value::U64)
}

fn ip_chain<'e>(r: &mut Reader<'e, '_>) -> Option<Value<'e>> {
    let chain = r
        .at(Top::Request, &["ipChain"])
        .filter(|c| c.is_array())
        .or_else(|| r.at(Top::Client, &["ipChain"]).filter(|c| c.is_array()))?;
    Some(Value::List(
        chain
            .children()
            .filter_map(|hop| hop.get("ip").and_then(value_text))
            .collect(),
    ))
}

/// Validates a keyed argument: used by [`checked`] rows through [`ArgCheck`].
pub(super) fn check_arg(check: ArgCheck, arg: &Arg) -> Result<(), String> {
    match (check, arg) {
        (ArgCheck::Any, _) => Ok(()),
        (ArgCheck::NonEmpty, Arg::Key(k)) if k.is_empty() => {
            Err("the argument must not be empty".into())
        }
        (ArgCheck::Positive, Arg::Index(0)) => Err("the window must be at least 1 second".into()),
        (ArgCheck::JsonPointer, Arg::Key(k)) => check_pointer(k),
        _ => Ok(()),
    }
}
