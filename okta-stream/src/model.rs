//! The typed LogEvent model: every documented property, all optional and lenient.
//!
//! Data flow: [`crate::event::Event::log_event`] deserializes an event's raw bytes into
//! [`LogEvent`] with serde (a full parse, for library users who want structs rather than the
//! path lookups of [`crate::event::Event`]). Every property of every object is optional *and*
//! nullable (`None` for both "missing" and `null`), because Okta leaves out or nulls properties
//! freely. Real data is messy, so decoding is lenient where real events disagree with the spec:
//!
//! - `version` and `postalCode` (and every other string property) accept numbers and booleans and
//!   keep them as their JSON text (`0` becomes `"0"`);
//! - `zone` and `ipAddress` keep the literal string `"null"` as it is;
//! - booleans (`isProxy`, `managed`, ...) also accept the strings `"true"`/`"false"`;
//! - numbers (`asNumber`, `lat`, `authenticationStep`, ...) also accept numeric strings;
//! - `target` (and `securityContext.risk.reasons`) may be a bare value instead of an array and is
//!   then read as a one-element list;
//! - `debugContext.debugData` is an open map of [`serde_json::Value`]: values may be strings,
//!   numbers, objects, or strings that contain JSON (see [`LogDebugContext::json`]).
//!
//! Unknown properties are kept at every level in an `extra` map (`#[serde(flatten)]`), so that
//! serializing a [`LogEvent`] again loses nothing but the difference between "missing" and `null`
//! (both are left out when serializing). For a byte-exact copy use [`crate::event::Event::raw`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_with::skip_serializing_none;

/// An open JSON object (`detailEntry`, `debugData`, `transaction.detail`, unknown properties).
pub type JsonMap = Map<String, Value>;

/// A System Log event as a typed struct (see [`crate::event::Event::log_event`]).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogEvent {
    /// Unique event id (use it for de-duplication).
    #[serde(deserialize_with = "lenient::string")]
    pub uuid: Option<String>,
    /// When the event was published, as written (`YYYY-MM-DDTHH:mm:ss.SSSZ`; not validated).
    #[serde(deserialize_with = "lenient::string")]
    pub published: Option<String>,
    /// Event type, e.g. `user.session.start`.
    #[serde(deserialize_with = "lenient::string")]
    pub event_type: Option<String>,
    /// Schema version (`"0"`; the number `0` is accepted and kept as `"0"`).
    #[serde(deserialize_with = "lenient::string")]
    pub version: Option<String>,
    /// `DEBUG`, `INFO`, `WARN` or `ERROR`.
    #[serde(deserialize_with = "lenient::string")]
    pub severity: Option<String>,
    /// The Events API action type, e.g. `core.user_auth.login_success`.
    #[serde(deserialize_with = "lenient::string")]
    pub legacy_event_type: Option<String>,
    /// Human-readable description.
    #[serde(deserialize_with = "lenient::string")]
    pub display_message: Option<String>,
    /// Who performed the action.
    pub actor: Option<LogActor>,
    /// The client that made the request (absent for jobs).
    pub client: Option<LogClient>,
    /// The Okta Verify device (not in the current schema's LogEvent, but present in events).
    pub device: Option<LogDevice>,
    /// How the actor authenticated.
    pub authentication_context: Option<LogAuthenticationContext>,
    /// Network and risk information about the request.
    pub security_context: Option<LogSecurityContext>,
    /// The request (its chain of IP addresses).
    pub request: Option<LogRequest>,
    /// Result of the action.
    pub outcome: Option<LogOutcome>,
    /// What the action was performed on (a bare object is read as one target).
    #[serde(deserialize_with = "lenient::one_or_many")]
    pub target: Option<Vec<LogTarget>>,
    /// The operation (request or job) that produced the event.
    pub transaction: Option<LogTransaction>,
    /// Free-form debugging data.
    pub debug_context: Option<LogDebugContext>,
    /// Properties not in the documented schema (e.g. `insertionTimestamp`).
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl LogEvent {
    /// The first target of the given `type` (targets are not in a stable order; find them by type).
    pub fn target_of_type(&self, ty: &str) -> Option<&LogTarget> {
        self.target
            .as_deref()?
            .iter()
            .find(|t| t.type_.as_deref() == Some(ty))
    }

    /// The raw value of a `debugContext.debugData` key.
    pub fn debug_data(&self, key: &str) -> Option<&Value> {
        self.debug_context.as_ref()?.debug_data.as_ref()?.get(key)
    }
}

/// `actor`: who performed the action.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogActor {
    /// Id of the actor.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Type, e.g. `User`, `SystemPrincipal`, `PublicClientApp`.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub type_: Option<String>,
    /// Alternative id (for users, the login).
    #[serde(deserialize_with = "lenient::string")]
    pub alternate_id: Option<String>,
    /// Display name.
    #[serde(deserialize_with = "lenient::string")]
    pub display_name: Option<String>,
    /// Free map of details.
    pub detail_entry: Option<JsonMap>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `client`: the client that made the request.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogClient {
    /// The user agent.
    pub user_agent: Option<LogUserAgent>,
    /// Where the client was, by IP geolocation.
    pub geographical_context: Option<LogGeographicalContext>,
    /// Matched network zone; often the literal string `"null"`, which is kept.
    #[serde(deserialize_with = "lenient::string")]
    pub zone: Option<String>,
    /// Client IP address (may be the string `"null"`, which is kept).
    #[serde(deserialize_with = "lenient::string")]
    pub ip_address: Option<String>,
    /// Device type, e.g. `Computer`, `Mobile`, `Unknown`.
    #[serde(deserialize_with = "lenient::string")]
    pub device: Option<String>,
    /// OAuth client id or agent id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Undocumented properties (e.g. `ipChain` in event-hook payloads).
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `client.userAgent`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogUserAgent {
    /// The User-Agent header as sent.
    #[serde(deserialize_with = "lenient::string")]
    pub raw_user_agent: Option<String>,
    /// Operating system, e.g. `Mac OS X`.
    #[serde(deserialize_with = "lenient::string")]
    pub os: Option<String>,
    /// Browser, upper case, e.g. `CHROME`.
    #[serde(deserialize_with = "lenient::string")]
    pub browser: Option<String>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `geographicalContext` (of the client or of an IP in the chain).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogGeographicalContext {
    /// City.
    #[serde(deserialize_with = "lenient::string")]
    pub city: Option<String>,
    /// State or region.
    #[serde(deserialize_with = "lenient::string")]
    pub state: Option<String>,
    /// Country.
    #[serde(deserialize_with = "lenient::string")]
    pub country: Option<String>,
    /// Postal code (a number is accepted and kept as its text).
    #[serde(deserialize_with = "lenient::string")]
    pub postal_code: Option<String>,
    /// Latitude and longitude.
    pub geolocation: Option<LogGeolocation>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `geolocation`: coordinates (ISO 6709 doubles).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogGeolocation {
    /// Latitude.
    #[serde(deserialize_with = "lenient::f64")]
    pub lat: Option<f64>,
    /// Longitude.
    #[serde(deserialize_with = "lenient::f64")]
    pub lon: Option<f64>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `device` (`LogDevice`): the Okta Verify device. Its keys are snake_case in the API.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogDevice {
    /// Device id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Device name, e.g. `Mac15,6`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Platform, e.g. `OSX`, `IOS`.
    #[serde(deserialize_with = "lenient::string")]
    pub os_platform: Option<String>,
    /// OS version.
    #[serde(deserialize_with = "lenient::string")]
    pub os_version: Option<String>,
    /// Whether the device is managed.
    #[serde(deserialize_with = "lenient::bool")]
    pub managed: Option<bool>,
    /// Whether the device is registered.
    #[serde(deserialize_with = "lenient::bool")]
    pub registered: Option<bool>,
    /// The device integrator (an object).
    #[serde(deserialize_with = "lenient::value")]
    pub device_integrator: Option<Value>,
    /// `NONE`, `FULL`, `SYSTEM_VOLUME`, `ALL_INTERNAL_VOLUMES`, `USER`.
    #[serde(deserialize_with = "lenient::string")]
    pub disk_encryption_type: Option<String>,
    /// `NONE`, `PASSCODE`, `BIOMETRIC`.
    #[serde(deserialize_with = "lenient::string")]
    pub screen_lock_type: Option<String>,
    /// Whether the device is jailbroken.
    #[serde(deserialize_with = "lenient::bool")]
    pub jailbreak: Option<bool>,
    /// Whether the device has secure hardware.
    #[serde(deserialize_with = "lenient::bool")]
    pub secure_hardware_present: Option<bool>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `outcome`: the result of the action.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogOutcome {
    /// `SUCCESS`, `FAILURE`, `SKIPPED`, `ALLOW`, `DENY`, `CHALLENGE`, `UNKNOWN`, ...
    #[serde(deserialize_with = "lenient::string")]
    pub result: Option<String>,
    /// Why, e.g. `INVALID_CREDENTIALS` or free text.
    #[serde(deserialize_with = "lenient::string")]
    pub reason: Option<String>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// One element of `target`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogTarget {
    /// Id of the target.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Type, e.g. `User`, `AppInstance`, `UserGroup`, `URL Pattern`.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub type_: Option<String>,
    /// Alternative id.
    #[serde(deserialize_with = "lenient::string")]
    pub alternate_id: Option<String>,
    /// Display name.
    #[serde(deserialize_with = "lenient::string")]
    pub display_name: Option<String>,
    /// Free map of details, e.g. `{"policyType":"OktaSignOn"}`.
    pub detail_entry: Option<JsonMap>,
    /// What changed (only some event types).
    pub change_details: Option<LogChangeDetails>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `target[].changeDetails`: the values before and after a change.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogChangeDetails {
    /// Values before the change.
    pub from: Option<JsonMap>,
    /// Values after the change.
    pub to: Option<JsonMap>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `transaction`: the operation that produced the event.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogTransaction {
    /// Transaction id (one request can produce several events).
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// `WEB` (a request) or `JOB` (an asynchronous task).
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub type_: Option<String>,
    /// Details, e.g. `requestApiTokenId`.
    pub detail: Option<JsonMap>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `debugContext`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogDebugContext {
    /// Free-form map; keys and values are not a stable contract. Values are usually strings
    /// (`threatSuspected` is the string `"false"`) but may be numbers or objects
    /// (`originalPrincipal`), and some strings hold JSON (`logOnlySecurityData`).
    pub debug_data: Option<JsonMap>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl LogDebugContext {
    /// The value of `key` as text: strings as they are, numbers and booleans as JSON text.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.debug_data.as_ref()?.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The value of `key` as JSON: objects as they are, strings parsed as JSON when they hold
    /// a JSON document (e.g. `logOnlySecurityData`). `None` when absent or not JSON.
    pub fn json(&self, key: &str) -> Option<Value> {
        match self.debug_data.as_ref()?.get(key)? {
            Value::String(s) => serde_json::from_str(s).ok(),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }
}

/// `authenticationContext`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogAuthenticationContext {
    /// `OKTA_AUTHENTICATION_PROVIDER`, `ACTIVE_DIRECTORY`, `LDAP`, `FEDERATION`, `SOCIAL`, ...
    #[serde(deserialize_with = "lenient::string")]
    pub authentication_provider: Option<String>,
    /// `OKTA_CREDENTIAL_PROVIDER`, `RSA`, `SYMANTEC`, `GOOGLE`, `DUO`, `YUBIKEY`.
    #[serde(deserialize_with = "lenient::string")]
    pub credential_provider: Option<String>,
    /// `OTP`, `SMS`, `PASSWORD`, `ASSERTION`, `IWA`, `EMAIL`, `OAUTH2`, `JWT`, ...
    #[serde(deserialize_with = "lenient::string")]
    pub credential_type: Option<String>,
    /// The issuer of the credential.
    pub issuer: Option<LogIssuer>,
    /// Third-party UI used, e.g. `Outlook`.
    #[serde(deserialize_with = "lenient::string")]
    pub interface: Option<String>,
    /// Authentication step (currently always 0).
    #[serde(deserialize_with = "lenient::i64")]
    pub authentication_step: Option<i64>,
    /// Groups the sessions that share one root session.
    #[serde(deserialize_with = "lenient::string")]
    pub root_session_id: Option<String>,
    /// The session id (null on failed sign-ins).
    #[serde(deserialize_with = "lenient::string")]
    pub external_session_id: Option<String>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `authenticationContext.issuer`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogIssuer {
    /// Issuer id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Issuer type.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub type_: Option<String>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `securityContext`: network and risk information.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogSecurityContext {
    /// Autonomous system number.
    #[serde(deserialize_with = "lenient::u64")]
    pub as_number: Option<u64>,
    /// Autonomous system organisation.
    #[serde(deserialize_with = "lenient::string")]
    pub as_org: Option<String>,
    /// Internet service provider.
    #[serde(deserialize_with = "lenient::string")]
    pub isp: Option<String>,
    /// Domain of the client.
    #[serde(deserialize_with = "lenient::string")]
    pub domain: Option<String>,
    /// Whether the client is a known proxy (`"true"`/`"false"` strings accepted).
    #[serde(deserialize_with = "lenient::bool")]
    pub is_proxy: Option<bool>,
    /// Risk assessment.
    pub risk: Option<LogRisk>,
    /// Details about the IP address.
    pub ip_details: Option<LogIpDetails>,
    /// Behaviour detections.
    #[serde(deserialize_with = "lenient::one_or_many")]
    pub user_behaviors: Option<Vec<LogUserBehavior>>,
    /// Bot protection level.
    pub bot_protection: Option<LogBotProtection>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `securityContext.risk`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogRisk {
    /// `LOW`, `MEDIUM`, `HIGH`.
    #[serde(deserialize_with = "lenient::string")]
    pub level: Option<String>,
    /// The level before this event.
    #[serde(deserialize_with = "lenient::string")]
    pub previous_level: Option<String>,
    /// Reasons, e.g. `Anomalous Device`.
    #[serde(deserialize_with = "lenient::one_or_many")]
    pub reasons: Option<Vec<String>>,
    /// Name of the detection, e.g. `Suspected Session Hijacking`.
    #[serde(deserialize_with = "lenient::string")]
    pub detection_name: Option<String>,
    /// Who assessed the risk (shape not documented: kept as JSON).
    #[serde(deserialize_with = "lenient::value")]
    pub issuer: Option<Value>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `ipDetails` (of the security context or of an IP in the chain).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogIpDetails {
    /// Autonomous system number.
    #[serde(deserialize_with = "lenient::u64")]
    pub as_number: Option<u64>,
    /// Autonomous system organisation.
    #[serde(deserialize_with = "lenient::string")]
    pub as_org: Option<String>,
    /// Internet service provider.
    #[serde(deserialize_with = "lenient::string")]
    pub isp: Option<String>,
    /// Domain.
    #[serde(deserialize_with = "lenient::string")]
    pub domain: Option<String>,
    /// Service categories (VPN, Proxy, Tor, ...).
    #[serde(deserialize_with = "lenient::one_or_many")]
    pub ip_service_categories: Option<Vec<LogIpServiceCategory>>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `ipDetails.ipServiceCategories[]`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogIpServiceCategory {
    /// `VPN`, `Proxy`, `Tor`, `Residential Proxy`, `Blockchain VPN`.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub type_: Option<String>,
    /// Operator of the service.
    #[serde(deserialize_with = "lenient::string")]
    pub operator: Option<String>,
    /// Whether the service anonymises.
    #[serde(deserialize_with = "lenient::bool")]
    pub is_anonymous: Option<bool>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `securityContext.userBehaviors[]`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogUserBehavior {
    /// Behaviour id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Behaviour name, e.g. `New Device`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// `UNKNOWN`, `POSITIVE`, `NEGATIVE`, `BAD_REQUEST`.
    #[serde(deserialize_with = "lenient::string")]
    pub result: Option<String>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `securityContext.botProtection`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LogBotProtection {
    /// `NONE`, `LOW`, `MEDIUM`, `HIGH`.
    #[serde(deserialize_with = "lenient::string")]
    pub level: Option<String>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `request`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogRequest {
    /// The client first, then each proxy (empty for non-HTTP events).
    #[serde(deserialize_with = "lenient::one_or_many")]
    pub ip_chain: Option<Vec<LogIpAddress>>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `request.ipChain[]` (`LogIpAddress`).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogIpAddress {
    /// The IP address.
    #[serde(deserialize_with = "lenient::string")]
    pub ip: Option<String>,
    /// Where the IP is, by geolocation.
    pub geographical_context: Option<LogGeographicalContext>,
    /// `V4` or `V6`.
    #[serde(deserialize_with = "lenient::string")]
    pub version: Option<String>,
    /// Source of the address.
    #[serde(deserialize_with = "lenient::string")]
    pub source: Option<String>,
    /// Details about the IP address.
    pub ip_details: Option<LogIpDetails>,
    /// Undocumented properties.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Lenient deserializers for the messy parts of real events.
///
/// Each reads the value as a [`serde_json::Value`] first (cheap next to the rest of a full
/// parse) and converts it, so that every deserializer (including the buffered one serde uses
/// for `#[serde(flatten)]` structs) behaves the same.
mod lenient {
    use serde::de::{DeserializeOwned, Error};
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// A string; numbers and booleans become their JSON text; `null` is `None`.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(D::Error::custom(format!(
                "expected a string, found {}",
                kind(&other)
            ))),
        }
    }

    /// A boolean; the strings `"true"`/`"false"` (any case) are accepted.
    pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(Value::String(s)) if s.is_empty() || s == "null" => Ok(None),
            Some(other) => Err(D::Error::custom(format!(
                "expected a boolean, found {}",
                kind(&other)
            ))),
        }
    }

    fn number_text<E: Error>(v: Value, what: &str) -> Result<Option<String>, E> {
        match v {
            Value::Null => Ok(None),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::String(s) if s.trim().is_empty() || s == "null" => Ok(None),
            Value::String(s) => Ok(Some(s.trim().to_string())),
            other => Err(E::custom(format!(
                "expected {what}, found {}",
                kind(&other)
            ))),
        }
    }

    /// An unsigned integer; numeric strings are accepted.
    pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        let Some(text) = number_text::<D::Error>(
            Option::<Value>::deserialize(d)?.unwrap_or(Value::Null),
            "an unsigned integer",
        )?
        else {
            return Ok(None);
        };
        text.parse::<u64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected an unsigned integer, found {text:?}")))
    }

    /// A signed integer; numeric strings are accepted.
    pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let Some(text) = number_text::<D::Error>(
            Option::<Value>::deserialize(d)?.unwrap_or(Value::Null),
            "an integer",
        )?
        else {
            return Ok(None);
        };
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected an integer, found {text:?}")))
    }

    /// A floating-point number; numeric strings are accepted.
    pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        let Some(text) = number_text::<D::Error>(
            Option::<Value>::deserialize(d)?.unwrap_or(Value::Null),
            "a number",
        )?
        else {
            return Ok(None);
        };
        text.parse::<f64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a number, found {text:?}")))
    }

    /// Any JSON value; `null` is `None`.
    pub fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        Ok(Option::<Value>::deserialize(d)?.filter(|v| !v.is_null()))
    }

    /// A list; a bare (non-array) value is read as a one-element list, `null` elements are
    /// skipped.
    pub fn one_or_many<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        let items = match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(single) => vec![single],
        };
        items
            .into_iter()
            .filter(|v| !v.is_null())
            .map(|v| serde_json::from_value(v).map_err(D::Error::custom))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use std::path::{Path, PathBuf};

    fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // Error bodies are not events.
                if path.file_name().and_then(|n| n.to_str()) != Some("errors") {
                    fixture_files(&path, out);
                }
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "jsonl")
            ) {
                out.push(path);
            }
        }
    }

    /// Every event of every fixture, read with the file source.
    fn fixture_events() -> Vec<(PathBuf, Event)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/okta-samples");
        let mut files = Vec::new();
        fixture_files(&dir, &mut files);
        files.sort();
        assert!(files.len() >= 9, "fixtures missing: {files:?}");
        let mut events = Vec::new();
        for file in files {
            for item in crate::source::file::FileSource::new([file.clone()])
                .strict(true)
                .iter()
            {
                events.push((file.clone(), item.unwrap()));
            }
        }
        events
    }

    #[test]
    fn every_fixture_decodes() {
        let events = fixture_events();
        assert!(events.len() >= 12, "only {} events", events.len());
        for (file, event) in &events {
            let log = event
                .log_event()
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert!(log.event_type.is_some(), "{}", file.display());
            assert!(log.actor.is_some(), "{}", file.display());
        }
    }

    #[test]
    fn messy_values_are_accepted() {
        let ev = Event::from_bytes(
            &br#"{"version":0,"uuid":"u","client":{"zone":"null","ipAddress":"null",
              "geographicalContext":{"postalCode":10013,"geolocation":{"lat":40.3,"lon":"-74.01"}}},
              "securityContext":{"isProxy":"true","asNumber":"394089","risk":{"reasons":"Anomalous Device"}},
              "target":{"type":"User","id":"00u1","displayName":"Jane"},
              "debugContext":{"debugData":{"threatSuspected":"false","n":3,
                 "logOnlySecurityData":"{\"risk\":{\"level\":\"LOW\"}}","originalPrincipal":{"id":"x"}}},
              "authenticationContext":{"authenticationStep":"0","rootSessionId":"idx1","issuer":null},
              "device":{"os_platform":"OSX","managed":false,"jailbreak":null},
              "outcome":null}"#[..],
        )
        .unwrap();
        let log = ev.log_event().unwrap();
        assert_eq!(log.version.as_deref(), Some("0"));
        let client = log.client.as_ref().unwrap();
        assert_eq!(client.zone.as_deref(), Some("null"));
        assert_eq!(client.ip_address.as_deref(), Some("null"));
        let geo = client.geographical_context.as_ref().unwrap();
        assert_eq!(geo.postal_code.as_deref(), Some("10013"));
        assert_eq!(geo.geolocation.as_ref().unwrap().lon, Some(-74.01));
        let sec = log.security_context.as_ref().unwrap();
        assert_eq!(sec.is_proxy, Some(true));
        assert_eq!(sec.as_number, Some(394089));
        assert_eq!(
            sec.risk.as_ref().unwrap().reasons.as_deref(),
            Some(&["Anomalous Device".to_string()][..])
        );
        assert_eq!(log.target.as_ref().unwrap().len(), 1);
        assert_eq!(
            log.target_of_type("User").unwrap().display_name.as_deref(),
            Some("Jane")
        );
        let debug = log.debug_context.as_ref().unwrap();
        assert_eq!(debug.text("threatSuspected").as_deref(), Some("false"));
        assert_eq!(debug.text("n").as_deref(), Some("3"));
        assert_eq!(
            debug.json("logOnlySecurityData").unwrap()["risk"]["level"],
            "LOW"
        );
        assert_eq!(debug.json("originalPrincipal").unwrap()["id"], "x");
        let auth = log.authentication_context.as_ref().unwrap();
        assert_eq!(auth.authentication_step, Some(0));
        assert_eq!(auth.root_session_id.as_deref(), Some("idx1"));
        assert_eq!(
            log.device.as_ref().unwrap().os_platform.as_deref(),
            Some("OSX")
        );
        assert_eq!(log.device.as_ref().unwrap().managed, Some(false));
        assert!(log.outcome.is_none());
    }

    #[test]
    fn every_property_of_the_spec_example_is_typed() {
        let raw = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(
                "tests/fixtures/okta-samples/okta-official/openapi_ListLogsWithAdditionalSecurityContext.json",
            ),
        )
        .unwrap();
        let log = Event::from_bytes(raw).unwrap().log_event().unwrap();
        // Nothing documented may land in an `extra` map.
        assert!(log.extra.is_empty(), "{:?}", log.extra.keys());
        let sec = log.security_context.as_ref().unwrap();
        assert!(sec.extra.is_empty());
        assert_eq!(
            sec.risk.as_ref().unwrap().detection_name.as_deref(),
            Some("Suspected Session Hijacking")
        );
        assert_eq!(sec.ip_details.as_ref().unwrap().as_number, Some(394089));
        assert_eq!(sec.user_behaviors.as_ref().unwrap().len(), 2);
        assert_eq!(
            sec.bot_protection.as_ref().unwrap().level.as_deref(),
            Some("LOW")
        );
        let chain = log.request.as_ref().unwrap().ip_chain.as_ref().unwrap();
        assert_eq!(chain[0].version.as_deref(), Some("V4"));
        assert!(chain[0].extra.is_empty());
        assert_eq!(
            chain[0].ip_details.as_ref().unwrap().isp.as_deref(),
            Some("google")
        );
        let device = log.device.as_ref().unwrap();
        assert!(device.extra.is_empty());
        assert_eq!(device.secure_hardware_present, Some(true));
        assert_eq!(
            device.disk_encryption_type.as_deref(),
            Some("ALL_INTERNAL_VOLUMES")
        );
        assert!(log.client.as_ref().unwrap().extra.is_empty());
        assert!(log
            .authentication_context
            .as_ref()
            .unwrap()
            .extra
            .is_empty());
    }

    #[test]
    fn round_trip_keeps_unknown_properties() {
        let raw = br#"{"uuid":"u","insertionTimestamp":null,"newTop":{"a":[1,2]},
            "actor":{"id":"a","futureProp":"x"},
            "client":{"ipChain":[{"ip":"1.2.3.4"}],"geographicalContext":{"geolocation":{"lat":1.5,"alt":3}}},
            "target":[{"id":"t","changeDetails":{"from":{"a":1},"to":{"a":2},"more":true},"z":1}],
            "transaction":{"id":"tx","detail":{"requestApiTokenId":"00T"}},
            "securityContext":{"ipDetails":{"ipServiceCategories":[{"type":"VPN","isAnonymous":true,"q":1}]}}}"#;
        let log = Event::from_bytes(&raw[..]).unwrap().log_event().unwrap();
        assert!(log.extra.contains_key("newTop"));
        let back = serde_json::to_value(&log).unwrap();
        let original: Value = serde_json::from_slice(raw).unwrap();
        assert_eq!(back["newTop"], original["newTop"]);
        assert_eq!(back["insertionTimestamp"], Value::Null);
        assert!(back.as_object().unwrap().contains_key("insertionTimestamp"));
        assert_eq!(back["actor"]["futureProp"], "x");
        // Absent typed properties are left out, not written as null.
        assert!(!back.as_object().unwrap().contains_key("published"));
        assert!(!back["actor"]
            .as_object()
            .unwrap()
            .contains_key("displayName"));
        assert!(!back["client"]
            .as_object()
            .unwrap()
            .contains_key("userAgent"));
        assert_eq!(back["client"]["ipChain"], original["client"]["ipChain"]);
        assert_eq!(
            back["client"]["geographicalContext"]["geolocation"]["alt"],
            3
        );
        assert_eq!(back["target"][0]["z"], 1);
        assert_eq!(back["target"][0]["changeDetails"]["more"], true);
        assert_eq!(back["target"][0]["changeDetails"]["to"]["a"], 2);
        assert_eq!(
            back["securityContext"]["ipDetails"]["ipServiceCategories"][0]["q"],
            1
        );
        // Decoding the serialized form gives the same struct.
        let again: LogEvent = serde_json::from_value(back).unwrap();
        assert_eq!(again, log);
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        let ev = Event::from_bytes(&br#"{"actor":{"id":{"nested":1}}}"#[..]).unwrap();
        let err = ev.log_event().unwrap_err();
        assert!(err.to_string().contains("expected a string"), "{err}");
        let ev = Event::from_bytes(&br#"{"securityContext":{"isProxy":"maybe"}}"#[..]).unwrap();
        assert!(ev.log_event().is_err());
    }
}
