//! Calendar dates and timestamps, in UTC: baselines expire on a date, results files carry an
//! RFC 3339 start time, the history orders runs by it. The proleptic Gregorian calendar over
//! days since 1970-01-01 (Howard Hinnant's `days_from_civil` and `civil_from_days`), which is
//! all the suite asks of time; no time-zone database. May use nothing of the crate.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;

/// A calendar date from year 1 to 9999; an impossible date such as 2026-02-31 cannot be made.
/// Dates order as the calendar does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, when it exists.
    pub const fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let exists = year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= days_in(year, month);
        if exists { Some(Self { year, month, day }) } else { None }
    }

    /// The date of `ms` milliseconds since 1970-01-01T00:00:00Z.
    fn of_millis(ms: i64) -> Self {
        let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
        Self { year, month, day }
    }

    fn days(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Today (UTC).
pub fn today() -> Date {
    Date::of_millis(millis(SystemTime::now()))
}

/// A text that is not a `YYYY-MM-DD` date, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a YYYY-MM-DD date: {reason}")]
pub struct NotADate {
    /// The text.
    pub text: String,
    /// Why.
    pub reason: Misread,
}

/// What is wrong with the text of a date or a timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Misread {
    /// Something else stands where this was due.
    #[error("expected {0}")]
    Expected(&'static str),
    /// A month that is not 1 to 12.
    #[error("there is no month {0}")]
    NoMonth(u8),
    /// A day the month does not have.
    #[error("{year:04}-{month:02} has no day {day}")]
    NoDay {
        /// The year.
        year: i32,
        /// The month.
        month: u8,
        /// The day.
        day: u8,
    },
    /// Anything else, said in words.
    #[error("{0}")]
    Wrong(&'static str),
}

/// Parses `YYYY-MM-DD`, refusing impossible dates; the error says what is wrong.
pub fn parse_date(text: &str) -> Result<Date, NotADate> {
    let refuse = |reason| NotADate {
        text: text.to_string(),
        reason,
    };
    let mut reader = Reader(text.trim().as_bytes());
    let date = reader.date().map_err(refuse)?;
    if !reader.0.is_empty() {
        return Err(refuse(Misread::Wrong("text follows the day")));
    }
    Ok(date)
}

/// `time` as RFC 3339 in UTC, to the second: `2026-11-27T06:26:00Z` (a time before 1970 is
/// written as 1970's first second).
pub fn rfc3339(time: SystemTime) -> String {
    rfc3339_millis(millis(time) / 1000 * 1000)
}

/// `ms` milliseconds since the epoch as RFC 3339 in UTC, with the milliseconds when there are
/// any: `2026-11-27T06:26:00Z`, `2026-11-27T06:26:00.25Z`.
pub fn rfc3339_millis(ms: i64) -> String {
    let date = Date::of_millis(ms);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (hours, minutes, seconds, millis) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    let mut out = format!("{date}T{hours:02}:{minutes:02}:{seconds:02}");
    if millis != 0 {
        let fraction = format!("{millis:03}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Milliseconds since the epoch of an RFC 3339 timestamp: a date, `T` (or a space), the time
/// to the second with an optional fraction, and `Z` or an offset `+01:00`. The error says
/// what is wrong.
pub fn parse_rfc3339(text: &str) -> Result<i64, Misread> {
    let mut reader = Reader(text.trim().as_bytes());
    let date = reader.date()?;
    if !reader.eat(b'T') && !reader.eat(b't') && !reader.eat(b' ') {
        return Err(Misread::Wrong("a `T` and the time must follow the date"));
    }
    let hours = reader.number(2, "the hour")?;
    reader.expect(b':', "`:` after the hour")?;
    let minutes = reader.number(2, "the minutes")?;
    reader.expect(b':', "`:` after the minutes")?;
    let seconds = reader.number(2, "the seconds")?;
    if hours > 23 || minutes > 59 || seconds > 60 {
        return Err(Misread::Wrong("the time of day is out of range"));
    }
    let mut millis = 0;
    if reader.eat(b'.') || reader.eat(b',') {
        let digits = reader.digits();
        if digits.is_empty() {
            return Err(Misread::Wrong("digits must follow the decimal point"));
        }
        // Milliseconds: the digits beyond the third are dropped, not rounded.
        millis = digits
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(3)
            .fold(0, |ms, d| ms * 10 + i64::from(d - b'0'));
    }
    let offset_minutes = if reader.eat(b'Z') || reader.eat(b'z') {
        0
    } else {
        let sign = if reader.eat(b'+') {
            1
        } else if reader.eat(b'-') {
            -1
        } else {
            return Err(Misread::Wrong("the time needs `Z` or an offset such as `+01:00`"));
        };
        let hours = reader.number(2, "the offset's hours")?;
        reader.expect(b':', "`:` in the offset")?;
        let minutes = reader.number(2, "the offset's minutes")?;
        if hours > 23 || minutes > 59 {
            return Err(Misread::Wrong("the offset is out of range"));
        }
        sign * (hours * 60 + minutes)
    };
    if !reader.0.is_empty() {
        return Err(Misread::Wrong("text follows the time"));
    }
    // A leap second is counted as the second before the next minute.
    let seconds_of_day = hours * 3600 + minutes * 60 + seconds.min(59);
    Ok(date.days() * MS_PER_DAY + seconds_of_day * 1000 + millis - offset_minutes * 60_000)
}

/// Milliseconds since the epoch (0 for a time before it).
pub fn millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

/// A cursor over the bytes of a date or timestamp.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    /// `YYYY-MM-DD`, a date that exists.
    fn date(&mut self) -> Result<Date, Misread> {
        let year = self.number(4, "a four-digit year")?;
        self.expect(b'-', "`-` after the year")?;
        let month = self.number(2, "a two-digit month")?;
        self.expect(b'-', "`-` after the month")?;
        let day = self.number(2, "a two-digit day")?;
        let (Ok(year), Ok(month), Ok(day)) = (i32::try_from(year), u8::try_from(month), u8::try_from(day)) else {
            return Err(Misread::Wrong("out of range"));
        };
        if year == 0 {
            return Err(Misread::Wrong("there is no year 0000"));
        }
        if !(1..=12).contains(&month) {
            return Err(Misread::NoMonth(month));
        }
        Date::new(year, month, day).ok_or(Misread::NoDay { year, month, day })
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.0.first() == Some(&byte);
        if found {
            self.0 = &self.0[1..];
        }
        found
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), Misread> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(Misread::Expected(what))
        }
    }

    fn digits(&mut self) -> &[u8] {
        let n = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        let (digits, rest) = self.0.split_at(n);
        self.0 = rest;
        digits
    }

    /// Exactly `width` digits.
    fn number(&mut self, width: usize, what: &'static str) -> Result<i64, Misread> {
        let digits = self.digits();
        if digits.len() != width {
            return Err(Misread::Expected(what));
        }
        Ok(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }
}

const fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // In range for every i64 of milliseconds the suite meets (years far beyond 9999 saturate).
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_millis(1_500)),
            "1970-01-01T00:00:01Z"
        );
        assert_eq!(rfc3339_millis(1_795_759_560_250), "2026-11-27T06:06:00.25Z");
        assert_eq!(rfc3339_millis(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn every_day_of_four_centuries_goes_to_the_calendar_and_back() {
        // 1900 (no leap day), 2000 (a leap day), 2100 (none): every day from 1900 to 2300.
        let (first, last) = (days_from_civil(1900, 1, 1), days_from_civil(2300, 1, 1));
        let mut previous = civil_from_days(first - 1);
        for days in first..last {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d <= days_in(y, m));
            assert!((y, m, d) > previous, "{y}-{m}-{d} follows {previous:?}");
            previous = (y, m, d);
        }
        assert_eq!(civil_from_days(days_from_civil(2100, 2, 28) + 1), (2100, 3, 1));
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 28) + 1), (2000, 2, 29));
    }

    #[test]
    fn dates_parse_order_and_refuse_impossible_ones() {
        let a = parse_date("2026-11-27").expect("valid");
        let b = parse_date("2027-01-02").expect("valid");
        assert!(a < b);
        assert_eq!(a.to_string(), "2026-11-27");
        assert_eq!(
            parse_date(" 2028-02-29 ").map(|d| d.to_string()),
            Ok("2028-02-29".to_string())
        );
        for bad in [
            "2026-13-01",
            "2026-02-31",
            "2027-02-29",
            "2026-00-10",
            "2026-1-01",
            "tomorrow",
            "2026-11-27x",
            "",
        ] {
            let error = parse_date(bad).expect_err(bad);
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("`{bad}` is not a YYYY-MM-DD date: "))
            );
        }
        assert_eq!(
            parse_date("2026-02-31").map_err(|e| e.reason.to_string()),
            Err("2026-02 has no day 31".to_string())
        );
    }

    #[test]
    fn timestamps_read_with_fractions_and_offsets() {
        let noon = parse_rfc3339("2026-11-27T12:00:00Z").expect("valid");
        assert_eq!(rfc3339_millis(noon), "2026-11-27T12:00:00Z");
        assert_eq!(parse_rfc3339("2026-11-27T13:00:00+01:00"), Ok(noon));
        assert_eq!(parse_rfc3339("2026-11-27t06:30:00-05:30"), Ok(noon));
        assert_eq!(parse_rfc3339("2026-11-27 12:00:00.1234567z"), Ok(noon + 123));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(
            parse_rfc3339("2026-11-27T23:59:60Z"),
            parse_rfc3339("2026-11-27T23:59:59Z")
        );
        for (bad, why) in [
            ("2026-11-27", "a `T` and the time must follow the date"),
            (
                "2026-11-27T12:00:00",
                "the time needs `Z` or an offset such as `+01:00`",
            ),
            ("2026-11-27T24:00:00Z", "the time of day is out of range"),
            ("2026-11-27T12:00Z", "expected `:` after the minutes"),
            ("2026-11-27T12:00:00.Z", "digits must follow the decimal point"),
            ("2026-11-27T12:00:00Z and more", "text follows the time"),
            ("2026-02-30T12:00:00Z", "2026-02 has no day 30"),
            ("0000-01-01T12:00:00Z", "there is no year 0000"),
            ("last tuesday", "expected a four-digit year"),
        ] {
            assert_eq!(
                parse_rfc3339(bad).map_err(|e| e.to_string()),
                Err(why.to_string()),
                "{bad}"
            );
        }
    }
}
