//! Calendar dates and timestamps, in UTC, through jiff: baselines expire on a date, results files
//! carry an RFC 3339 start time. May use nothing of the crate.

use std::time::SystemTime;

/// A calendar date (jiff's civil date: impossible dates such as 2026-02-31 cannot exist).
pub type Date = jiff::civil::Date;

/// Today (UTC).
pub fn today() -> Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// A text that is not a `YYYY-MM-DD` date, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a YYYY-MM-DD date: {reason}")]
pub struct NotADate {
    /// The text.
    pub text: String,
    /// Why.
    pub reason: String,
}

/// Parses `YYYY-MM-DD`, refusing impossible dates; the error says what is wrong.
pub fn parse_date(text: &str) -> Result<Date, NotADate> {
    text.trim().parse::<Date>().map_err(|e| NotADate {
        text: text.to_string(),
        reason: e.to_string(),
    })
}

/// `time` as RFC 3339 in UTC, to the second: `2026-11-27T06:26:00Z`.
pub fn rfc3339(time: SystemTime) -> String {
    jiff::Timestamp::try_from(time)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_759_560)),
            "2026-11-27T06:06:00Z"
        );
    }

    #[test]
    fn dates_parse_order_and_refuse_impossible_ones() {
        let a = parse_date("2026-11-27").expect("valid");
        let b = parse_date("2027-01-02").expect("valid");
        assert!(a < b);
        assert_eq!(a.to_string(), "2026-11-27");
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("2026-02-31").is_err());
        assert!(parse_date("tomorrow").is_err());
    }
}
