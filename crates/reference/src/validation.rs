//! The input rules of the resources the reference serves, as documented (the seed page for
//! startMessaging; `applications_ref.md`, `makeMeAvailable_ref.md`). Each check turns an
//! [`Input`] into a valid request or names the [`Problem`]. No HTTP here.

use crate::errors::Problem;
use crate::input::Input;
use crate::mutants::{DataUriRule, ImportanceRule, Rules};
use crate::repr::BodyKind;
use crate::world::{AppFields, Availability, StartRequest};

/// The importance values (seed: Normal, Urgent, Emergency).
pub const IMPORTANCE: [&str; 3] = ["Normal", "Urgent", "Emergency"];
/// Longest `culture`, `endpointId`, `instanceId` and `userAgent` (documented: 100).
pub const MAX_APPLICATION_FIELD: usize = 100;
/// The inputs the startMessaging page lists (everything else is ignored, I-05).
const START_INPUTS: [&str; 7] = [
    "operationid",
    "to",
    "importance",
    "subject",
    "threadid",
    "message",
    "customcontent",
];
/// ModalityType values `makeMeAvailable_ref.md` lists.
const MODALITIES: [&str; 7] = [
    "Audio",
    "Video",
    "PhoneAudio",
    "ApplicationSharing",
    "Messaging",
    "DataCollaboration",
    "PanoramicVideo",
];
/// The modalities makeMeAvailable grants; asking for more is 403 (documented).
const GRANTED_MODALITIES: [&str; 2] = ["Messaging", "PhoneAudio"];
/// MessageFormat values.
const FORMATS: [&str; 2] = ["Plain", "Html"];
/// PreferredAvailability values (signInAs).
const SIGN_IN_AS: [&str; 6] = ["Online", "Busy", "DoNotDisturb", "BeRightBack", "Away", "Offwork"];
/// AudioPreference values.
const AUDIO_PREFERENCES: [&str; 2] = ["PhoneAudio", "VoipAudio"];

/// A startMessaging request as the server reads it: the query (unless the rules ignore it) and a
/// body of `kind`, then the documented rules. The HTTP handler and the model both decide here.
pub fn start_request(query: Option<&str>, kind: BodyKind, body: &[u8], rules: &Rules) -> Result<StartRequest, Problem> {
    let query = query.filter(|_| rules.query_inputs);
    crate::input::read_as(query, kind, body).and_then(|input| start_messaging(&input, rules))
}

/// startMessaging: `operationId` and `to` required, limits counted in characters, importance
/// one of three (any letter case), `to` a SIP URI, `message`/`customContent` data URIs.
pub fn start_messaging(input: &Input, rules: &Rules) -> Result<StartRequest, Problem> {
    present(input, rules)?;
    let operation_id = match input.get("operationId").filter(|o| !o.is_empty()) {
        Some(o) => o.to_string(),
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    if rules.operation_id_limit_in_bytes_xml && input.xml && operation_id.len() > rules.operation_id_limit {
        return Err(too_long("operationId", rules.operation_id_limit));
    }
    max_len("operationId", &operation_id, rules.operation_id_limit)?;
    let subject = input.get("subject").unwrap_or_default().to_string();
    let thread_id = input.get("threadId").filter(|t| !t.is_empty()).map(str::to_string);
    if !(rules.subject_unchecked_with_thread_id && thread_id.is_some()) {
        if rules.subject_limit_in_bytes && subject.len() > rules.subject_limit {
            return Err(too_long("subject", rules.subject_limit));
        }
        max_len("subject", &subject, rules.subject_limit)?;
    }
    if let Some(t) = &thread_id {
        if rules.thread_id_limit_in_utf16 && t.encode_utf16().count() > rules.thread_id_limit {
            return Err(too_long("threadId", rules.thread_id_limit));
        }
        max_len("threadId", t, rules.thread_id_limit)?;
    }
    let importance = match (input.get("importance").filter(|i| !i.is_empty()), rules.importance) {
        (None, _) => "Normal".to_string(),
        (Some(value), ImportanceRule::Unchecked) => value.to_string(),
        (Some("Urgent"), ImportanceRule::RefusesUrgent) => {
            return Err(Problem::Invalid("importance must be one of Normal, Emergency.".into()));
        }
        (Some(value), _) => one_of("importance", value, &IMPORTANCE)?,
    };
    let to = input.get("to").unwrap_or_default().to_string();
    // An absent `to` (allowed only when it is not required) has no SIP URI to check.
    let sip_checked = rules.sip_checked && (rules.to_required || !to.is_empty());
    if sip_checked && !is_sip_uri(&to) {
        return Err(Problem::Invalid("to must be a SIP URI (sip:user@domain).".into()));
    }
    let [message, custom_content] = data_links(input, rules)?;
    Ok(StartRequest {
        operation_id,
        to,
        importance,
        subject,
        thread_id,
        message,
        custom_content,
    })
}

/// startMessaging's required inputs are there, and (under a rule that refuses them) no input
/// the page does not list.
fn present(input: &Input, rules: &Rules) -> Result<(), Problem> {
    let operation_id_required =
        rules.operation_id_required && !(rules.operation_id_optional_with_message && input.link("message").is_some());
    let required = [("operationId", operation_id_required), ("to", rules.to_required)];
    let missing: Vec<&str> = required
        .into_iter()
        .filter(|(name, required)| *required && input.get(name).is_none_or(str::is_empty))
        .map(|(name, _)| name)
        .collect();
    if rules.unknown_inputs_refused
        && let Some(unknown) = input.names().find(|n| !START_INPUTS.contains(n))
    {
        return Err(Problem::Invalid(format!("Unknown parameter: {unknown}.")));
    }
    if !missing.is_empty() {
        return Err(Problem::Invalid(format!(
            "Missing required parameters: {}.",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// startMessaging's `message` and `customContent` links, each a data URI as the rules check it.
fn data_links(input: &Input, rules: &Rules) -> Result<[Option<String>; 2], Problem> {
    let mut links = [None, None];
    for (slot, rel) in links.iter_mut().zip(["message", "customContent"]) {
        if let Some(href) = input.link(rel) {
            let valid = data_url::DataUrl::process(href)
                .ok()
                .is_some_and(|d| d.decode_to_vec().is_ok());
            let refused = match rules.data_uri {
                DataUriRule::Unchecked => false,
                DataUriRule::RefusesPercentEncoding => !valid || (!href.contains(";base64,") && href.contains('%')),
                DataUriRule::RefusesCustomContent => !valid || rel == "customContent",
                DataUriRule::Documented => !valid,
            };
            if refused {
                return Err(Problem::Invalid(format!("{rel} must be a data URI.")));
            }
            *slot = Some(href.to_string());
        }
    }
    Ok(links)
}

/// POST applications: `culture` and `userAgent` required, `endpointId` too for signed-in users
/// (anonymous applications do without), each at most 100 characters.
pub fn application(input: &Input, anonymous: bool) -> Result<AppFields, Problem> {
    let mut missing = Vec::new();
    for name in ["culture", "endpointId", "userAgent", "instanceId", "type"] {
        if let Some(v) = input.get(name) {
            max_len(name, v, MAX_APPLICATION_FIELD)?;
        }
        let optional = matches!(name, "instanceId" | "type") || (anonymous && name == "endpointId");
        if !optional && input.get(name).is_none_or(str::is_empty) {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        return Err(Problem::Invalid(format!(
            "Missing required parameters: {}.",
            missing.join(", ")
        )));
    }
    let get = |n: &str| input.get(n).unwrap_or_default().to_string();
    Ok(AppFields {
        culture: get("culture"),
        endpoint_id: get("endpointId"),
        user_agent: get("userAgent"),
        app_type: input
            .get("type")
            .filter(|t| !t.is_empty())
            .unwrap_or("Browser")
            .to_string(),
        instance_id: input.get("instanceId").filter(|i| !i.is_empty()).map(str::to_string),
    })
}

/// POST makeMeAvailable: nothing required; each value from its documented set (400 otherwise);
/// modalities beyond Messaging and PhoneAudio are refused with 403 (documented).
pub fn make_me_available(input: &Input) -> Result<Availability, Problem> {
    let modalities = input.list("supportedModalities").unwrap_or_default();
    let mut kept = Vec::new();
    for m in modalities {
        let m = one_of("supportedModalities", m, &MODALITIES)?;
        if !GRANTED_MODALITIES.contains(&m.as_str()) {
            return Err(Problem::Forbidden(format!(
                "{m} is not available to this application; ask for Messaging or PhoneAudio."
            )));
        }
        kept.push(m);
    }
    let mut formats = Vec::new();
    for f in input.list("supportedMessageFormats").unwrap_or_default() {
        formats.push(one_of("supportedMessageFormats", f, &FORMATS)?);
    }
    if formats.is_empty() {
        formats.push("Plain".to_string());
    }
    if let Some(v) = input.get("signInAs").filter(|v| !v.is_empty()) {
        one_of("signInAs", v, &SIGN_IN_AS)?;
    }
    if let Some(v) = input.get("audioPreference").filter(|v| !v.is_empty()) {
        one_of("audioPreference", v, &AUDIO_PREFERENCES)?;
    }
    Ok(Availability {
        modalities: kept,
        formats,
    })
}

/// A value of a documented set (any letter case), in its documented spelling.
fn one_of(name: &str, value: &str, allowed: &[&str]) -> Result<String, Problem> {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value.trim()))
        .map(|a| a.to_string())
        .ok_or_else(|| Problem::Invalid(format!("{name} must be one of {}.", allowed.join(", "))))
}

fn max_len(name: &str, value: &str, max: usize) -> Result<(), Problem> {
    if value.chars().count() > max {
        return Err(too_long(name, max));
    }
    Ok(())
}

fn too_long(name: &str, max: usize) -> Problem {
    Problem::Invalid(format!("{name} exceeds the maximum length of {max}."))
}

/// `sip:user@host`: one `@`, a non-empty user, a host of letters, digits, dots and hyphens.
pub fn is_sip_uri(value: &str) -> bool {
    let Some(rest) = value
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("sip:"))
        .map(|_| &value[4..])
    else {
        return false;
    };
    let mut parts = rest.split('@');
    let (Some(user), Some(host), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    !user.is_empty() && !user.chars().any(|c| c.is_whitespace() || c == ':') && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("sip:john@contoso.com", true)]
    #[case("SIP:john@contoso.com", true)]
    #[case("sip:john.doe-1@sub.contoso.com", true)]
    #[case("john@contoso.com", false)]
    #[case("sip:johncontoso.com", false)]
    #[case("sip:@contoso.com", false)]
    #[case("sip:john@", false)]
    #[case("sip : john@contoso.com", false)]
    #[case("sip:a@b@c", false)]
    #[case("tel:+14255550100", false)]
    fn sip_uris(#[case] value: &str, #[case] valid: bool) {
        assert_eq!(is_sip_uri(value), valid);
    }
}
