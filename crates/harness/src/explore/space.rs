//! The input space of startMessaging: every input of the page's request and query tables (and
//! the representation a request is sent in), each cut into value classes, and what the page
//! fixes about each class. The page's reading of a whole request (`reading`) follows from its
//! classes; the answer the server owes comes from the model, never from here.

use crate::case::{Media, Severity};

/// One input of the page's tables, or the representation the request is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// JSON or XML.
    Media,
    /// `operationId` (required, at most 50 characters).
    OperationId,
    /// `to` in the body (required, a SIP URI).
    To,
    /// `to` as a query parameter.
    ToQuery,
    /// `subject` (at most 250 characters).
    Subject,
    /// `threadId` (at most 250 characters).
    ThreadId,
    /// `importance` (Normal, Urgent, Emergency).
    Importance,
    /// The `message` link (a data URI).
    Message,
    /// The `customContent` link (a data URI).
    CustomContent,
    /// An input the page does not list.
    Unknown,
}

impl Dimension {
    /// Every dimension, in the order requests are described.
    pub const ALL: [Dimension; 10] = [
        Dimension::Media,
        Dimension::OperationId,
        Dimension::To,
        Dimension::ToQuery,
        Dimension::Subject,
        Dimension::ThreadId,
        Dimension::Importance,
        Dimension::Message,
        Dimension::CustomContent,
        Dimension::Unknown,
    ];

    /// The input's name as the page writes it.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Media => "media",
            Dimension::OperationId => "operationId",
            Dimension::To => "to",
            Dimension::ToQuery => "to (query)",
            Dimension::Subject => "subject",
            Dimension::ThreadId => "threadId",
            Dimension::Importance => "importance",
            Dimension::Message => "message",
            Dimension::CustomContent => "customContent",
            Dimension::Unknown => "unknown input",
        }
    }

    /// A short name for ids and file names.
    pub fn slug(self) -> &'static str {
        match self {
            Dimension::Media => "media",
            Dimension::OperationId => "operation-id",
            Dimension::To => "to",
            Dimension::ToQuery => "to-query",
            Dimension::Subject => "subject",
            Dimension::ThreadId => "thread-id",
            Dimension::Importance => "importance",
            Dimension::Message => "message",
            Dimension::CustomContent => "custom-content",
            Dimension::Unknown => "unknown",
        }
    }
}

/// What the page fixes about a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Inside the page's constraint: the server must (or should) accept it.
    Inside(Severity),
    /// Clearly outside: the server must (or should) refuse it.
    Outside(Severity),
    /// The page leaves it open (a type named without its grammar, a count the page does not
    /// define): either answer is legal.
    Open,
}

/// How a value is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// Not sent at all.
    Absent,
    /// Sent as this template (placeholders such as `{{operation_id}}` and `{{chars:N}}` allowed).
    Template(&'static str),
    /// Sent as `prefix` followed by `{{chars:N}}` (N ASCII characters).
    Chars(&'static str, usize),
    /// Sent as `prefix` followed by `unit` repeated `count` times (for lengths at and over a limit).
    Repeat {
        /// The start (a template, often `{{operation_id}}`).
        prefix: &'static str,
        /// The repeated text (no placeholder).
        unit: &'static str,
        /// How many times.
        count: usize,
    },
}

impl Value {
    /// The template text (`None`: not sent).
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Absent => None,
            Value::Template(t) => Some((*t).to_string()),
            Value::Chars(prefix, count) => Some(format!("{prefix}{{{{chars:{count}}}}}")),
            Value::Repeat { prefix, unit, count } => Some(format!("{prefix}{}", unit.repeat(*count))),
        }
    }
}

/// One value class of one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    /// Its dimension.
    pub dimension: Dimension,
    /// Its name, unique within the dimension.
    pub name: &'static str,
    /// What the page fixes about it.
    pub reading: Reading,
    /// The inventory item the reading rests on.
    pub item: &'static str,
    /// How it is sent.
    pub value: Value,
    /// A peer the target must have for it (`peer:decline`, `peer:ignore`), if any.
    pub needs: Option<&'static str>,
}

/// `{{operation_id}}` is 32 characters: the classes of operationId pad it to their length, so
/// every operationId stays unique to its run.
const OPERATION_ID_LEN: usize = 32;
const OP: &str = "{{operation_id}}";

const fn class(dimension: Dimension, name: &'static str, reading: Reading, item: &'static str, value: Value) -> Class {
    Class {
        dimension,
        name,
        reading,
        item,
        value,
        needs: None,
    }
}

const MUST_IN: Reading = Reading::Inside(Severity::Must);
const SHOULD_IN: Reading = Reading::Inside(Severity::Should);
const MUST_OUT: Reading = Reading::Outside(Severity::Must);
const SHOULD_OUT: Reading = Reading::Outside(Severity::Should);

const fn repeat(prefix: &'static str, unit: &'static str, count: usize) -> Value {
    Value::Repeat { prefix, unit, count }
}

/// Lengths at and over a limit in characters of every width: one-byte, two-byte (é), three-byte
/// (中), four-byte outside the BMP (😀, two UTF-16 units) and combining sequences (e + U+0301:
/// two characters, one grapheme).
macro_rules! lengths {
    ($dim:expr, $item:expr, $prefix:expr, $at:expr) => {
        [
            class($dim, "ascii-at-limit", MUST_IN, $item, Value::Chars($prefix, $at)),
            class($dim, "two-byte-at-limit", MUST_IN, $item, repeat($prefix, "é", $at)),
            class($dim, "three-byte-at-limit", MUST_IN, $item, repeat($prefix, "中", $at)),
            class($dim, "astral-at-limit", MUST_IN, $item, repeat($prefix, "😀", $at)),
            class(
                $dim,
                "combining-at-limit",
                MUST_IN,
                $item,
                repeat($prefix, "e\u{301}", $at / 2),
            ),
            class(
                $dim,
                "ascii-over-limit",
                SHOULD_OUT,
                $item,
                Value::Chars($prefix, $at + 1),
            ),
            class(
                $dim,
                "two-byte-over-limit",
                SHOULD_OUT,
                $item,
                repeat($prefix, "é", $at + 1),
            ),
            class(
                $dim,
                "astral-over-limit",
                SHOULD_OUT,
                $item,
                repeat($prefix, "😀", $at + 1),
            ),
            // 252 characters but 126 graphemes: over the limit only if characters are counted.
            class(
                $dim,
                "combining-over-limit",
                Reading::Open,
                "",
                repeat($prefix, "e\u{301}", ($at + 2) / 2),
            ),
        ]
    };
}

const OPERATION_ID: [Class; 13] = {
    let d = Dimension::OperationId;
    let item = "body.operationId.max-length";
    let l = lengths!(d, item, OP, 50 - OPERATION_ID_LEN);
    [
        class(d, "absent", MUST_OUT, "body.operationId.required", Value::Absent),
        class(d, "ascii", MUST_IN, "post.created", Value::Template(OP)),
        // Kept "as supplied by the client" (messagingInvitation_ref.md): letter case too.
        class(
            d,
            "mixed-case",
            MUST_IN,
            "invitation.resource",
            Value::Template("Op.X-{{operation_id}}"),
        ),
        class(d, "empty", Reading::Open, "", Value::Template("")),
        l[0],
        l[1],
        l[2],
        l[3],
        l[4],
        l[5],
        l[6],
        l[7],
        l[8],
    ]
};

const TO: [Class; 10] = {
    let d = Dimension::To;
    let sip = "body.to.sip-uri";
    [
        class(d, "absent", MUST_IN, "query.to", Value::Absent),
        class(d, "peer", MUST_IN, "post.created", Value::Template("{{peer}}")),
        Class {
            needs: Some("peer:decline"),
            ..class(
                d,
                "peer-declines",
                MUST_IN,
                "post.created",
                Value::Template("{{peer:decline}}"),
            )
        },
        class(d, "no-scheme", SHOULD_OUT, sip, Value::Template("bob@contoso.test")),
        class(d, "tel-uri", SHOULD_OUT, sip, Value::Template("tel:+14255550100")),
        class(d, "spaces", SHOULD_OUT, sip, Value::Template("sip : bob@contoso.test")),
        // A SIP URI nobody answers to, a host-only SIP URI, an upper-case scheme, an empty
        // string: the page names the type, not its grammar, nor when an unknown user is refused.
        class(
            d,
            "unknown-user",
            Reading::Open,
            sip,
            Value::Template("sip:nobody@example.invalid"),
        ),
        class(
            d,
            "host-only",
            Reading::Open,
            sip,
            Value::Template("sip:example.invalid"),
        ),
        class(
            d,
            "upper-scheme",
            Reading::Open,
            sip,
            Value::Template("SIP:nobody@example.invalid"),
        ),
        class(d, "empty", Reading::Open, sip, Value::Template("")),
    ]
};

const TO_QUERY: [Class; 3] = {
    let d = Dimension::ToQuery;
    [
        class(d, "absent", MUST_IN, "query.to", Value::Absent),
        class(d, "peer", MUST_IN, "query.to", Value::Template("{{peer}}")),
        class(
            d,
            "no-scheme",
            SHOULD_OUT,
            "body.to.sip-uri",
            Value::Template("bob@contoso.test"),
        ),
    ]
};

const SUBJECT: [Class; 12] = {
    let d = Dimension::Subject;
    let item = "body.subject.max-length";
    let l = lengths!(d, item, "", 250);
    [
        class(d, "absent", MUST_IN, item, Value::Absent),
        class(d, "short", MUST_IN, item, Value::Template("Hello")),
        class(d, "empty", MUST_IN, item, Value::Template("")),
        l[0],
        l[1],
        l[2],
        l[3],
        l[4],
        l[5],
        l[6],
        l[7],
        l[8],
    ]
};

const THREAD_ID: [Class; 12] = {
    let d = Dimension::ThreadId;
    let item = "body.threadId.max-length";
    let l = lengths!(d, item, "", 250);
    [
        class(d, "absent", MUST_IN, item, Value::Absent),
        class(d, "short", MUST_IN, item, Value::Template("thread-1")),
        class(d, "empty", Reading::Open, item, Value::Template("")),
        l[0],
        l[1],
        l[2],
        l[3],
        l[4],
        l[5],
        l[6],
        l[7],
        l[8],
    ]
};

const IMPORTANCE: [Class; 8] = {
    let d = Dimension::Importance;
    let item = "body.importance.values";
    [
        class(d, "absent", MUST_IN, item, Value::Absent),
        class(d, "normal", MUST_IN, item, Value::Template("Normal")),
        class(d, "urgent", MUST_IN, item, Value::Template("Urgent")),
        class(d, "emergency", MUST_IN, item, Value::Template("Emergency")),
        class(d, "other-value", SHOULD_OUT, item, Value::Template("High")),
        // Letter case and blanks: the page lists the values, not how they are compared.
        class(d, "lower-case", Reading::Open, item, Value::Template("urgent")),
        class(d, "padded", Reading::Open, item, Value::Template(" Urgent ")),
        class(d, "empty", Reading::Open, item, Value::Template("")),
    ]
};

const MESSAGE: [Class; 6] = {
    let d = Dimension::Message;
    let item = "body.message.data-uri";
    [
        class(d, "absent", MUST_IN, item, Value::Absent),
        class(
            d,
            "base64",
            MUST_IN,
            item,
            Value::Template("data:text/plain;base64,SGVsbG8="),
        ),
        class(
            d,
            "percent-encoded",
            MUST_IN,
            item,
            Value::Template("data:text/plain;charset=utf-8,Hello%2C%20world"),
        ),
        class(
            d,
            "html",
            MUST_IN,
            item,
            Value::Template("data:text/html;charset=utf-8,%3Cb%3EHi%3C%2Fb%3E"),
        ),
        class(
            d,
            "https-link",
            SHOULD_OUT,
            item,
            Value::Template("https://contoso.test/message.txt"),
        ),
        class(
            d,
            "data-without-comma",
            SHOULD_OUT,
            item,
            Value::Template("data:text/plain;base64"),
        ),
    ]
};

const CUSTOM_CONTENT: [Class; 3] = {
    let d = Dimension::CustomContent;
    let item = "body.customContent.data-uri";
    [
        class(d, "absent", MUST_IN, item, Value::Absent),
        class(
            d,
            "base64",
            MUST_IN,
            item,
            Value::Template("data:application/json;base64,eyJhIjoxfQ=="),
        ),
        class(
            d,
            "https-link",
            SHOULD_OUT,
            item,
            Value::Template("https://contoso.test/custom.json"),
        ),
    ]
};

const UNKNOWN: [Class; 2] = {
    let d = Dimension::Unknown;
    [
        class(d, "absent", MUST_IN, "body.unknown-ignored", Value::Absent),
        class(
            d,
            "session-context",
            SHOULD_IN,
            "body.unknown-ignored",
            Value::Template("{{uuid}}"),
        ),
    ]
};

const MEDIA: [Class; 2] = [
    class(Dimension::Media, "json", MUST_IN, "", Value::Absent),
    class(Dimension::Media, "xml", MUST_IN, "", Value::Absent),
];

/// The classes of a dimension, simplest first (the first is the default: absent, or JSON).
pub fn classes(dimension: Dimension) -> &'static [Class] {
    match dimension {
        Dimension::Media => &MEDIA,
        Dimension::OperationId => &OPERATION_ID,
        Dimension::To => &TO,
        Dimension::ToQuery => &TO_QUERY,
        Dimension::Subject => &SUBJECT,
        Dimension::ThreadId => &THREAD_ID,
        Dimension::Importance => &IMPORTANCE,
        Dimension::Message => &MESSAGE,
        Dimension::CustomContent => &CUSTOM_CONTENT,
        Dimension::Unknown => &UNKNOWN,
    }
}

/// The media type a Media class stands for.
pub fn media_of(class: &Class) -> Media {
    if class.name == "xml" { Media::Xml } else { Media::Json }
}

/// A request's classes, one per dimension (indices into [`classes`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Draft(pub [usize; 10]);

impl Draft {
    /// The class chosen for `dimension`.
    pub fn class(&self, dimension: Dimension) -> &'static Class {
        let at = Dimension::ALL.iter().position(|d| *d == dimension).unwrap_or(0);
        &classes(dimension)[self.0[at]]
    }

    /// Every dimension with its class.
    pub fn each(&self) -> impl Iterator<Item = &'static Class> + '_ {
        Dimension::ALL.iter().map(|d| self.class(*d))
    }

    /// The media type it is sent in.
    pub fn media(&self) -> Media {
        media_of(self.class(Dimension::Media))
    }

    /// A short description: every class but the defaults, as `input=class`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .each()
            .filter(|c| c.dimension != Dimension::Media && c.name != "absent")
            .map(|c| format!("{}={}", c.dimension.name(), c.name))
            .collect();
        if parts.is_empty() {
            "no input".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// What the page fixes about a whole request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// Every input inside: created (must, or should when an input is only inside by the
    /// project's reading, such as an unknown input ignored).
    Accept(Severity),
    /// An input clearly outside: refused. `subcode` when every such input is a missing
    /// required one (400 ParameterValidationFailure, documented); `items` the inventory items
    /// broken.
    Refuse {
        /// Must when a must-level input is outside.
        severity: Severity,
        /// The documented subcode is owed (only missing required inputs).
        subcode: bool,
        /// The items the outside inputs break.
        items: Vec<&'static str>,
    },
    /// Either answer is legal (an open value, or `to` given twice with one outside).
    Either,
}

/// The page's reading of a request: the strongest refusal wins over everything, an open value
/// over acceptance. `to` missing from the body is missing only when the query lacks it too;
/// `to` given in both places with one of them outside is open (the page does not say which wins).
pub fn reading(draft: &Draft) -> Judged {
    let to = draft.class(Dimension::To);
    let to_query = draft.class(Dimension::ToQuery);
    let to_given_twice = to.value != Value::Absent && to_query.value != Value::Absent;
    let twice_disagree =
        to_given_twice && matches!(to.reading, Reading::Outside(_)) != matches!(to_query.reading, Reading::Outside(_));
    let mut outside: Vec<(&Class, Severity, bool)> = Vec::new();
    let mut open = twice_disagree;
    let mut weakest = Severity::Must;
    for class in draft.each() {
        let is_to = matches!(class.dimension, Dimension::To | Dimension::ToQuery);
        match class.reading {
            Reading::Outside(_) if is_to && twice_disagree => {}
            Reading::Outside(severity) => outside.push((class, severity, class.value == Value::Absent)),
            Reading::Open => open = true,
            Reading::Inside(severity) => weakest = weakest.max(severity),
        }
    }
    if to.value == Value::Absent && to_query.value == Value::Absent {
        outside.push((to, Severity::Must, true));
    }
    if !outside.is_empty() {
        let severity = outside.iter().map(|(_, s, _)| *s).min().unwrap_or(Severity::Should);
        let mut items: Vec<&'static str> = outside
            .iter()
            .map(|(c, _, missing)| match (c.dimension, missing) {
                (Dimension::To, true) => "body.to.required",
                _ => c.item,
            })
            .collect();
        items.sort();
        items.dedup();
        return Judged::Refuse {
            severity,
            subcode: outside.iter().all(|(_, _, missing)| *missing),
            items,
        };
    }
    if open {
        return Judged::Either;
    }
    Judged::Accept(weakest)
}

/// A dimension and one of its classes (indices into [`Dimension::ALL`] and [`classes`]).
pub type Choice = (usize, usize);
/// Two choices of two dimensions, the lower dimension first.
pub type Pair = (Choice, Choice);

/// The pairs of (dimension, class) the exploration must cover: every two classes of two
/// dimensions, where at most one of them is outside or open (two refused values mask each other:
/// such pairs are left to the random phase).
pub fn required_pairs(media: &[Media], has_peer: impl Fn(&str) -> bool) -> Vec<Pair> {
    let usable = |d: usize, c: usize| {
        let class = &classes(Dimension::ALL[d])[c];
        class.needs.is_none_or(&has_peer) && (class.dimension != Dimension::Media || media.contains(&media_of(class)))
    };
    let plain = |d: usize, c: usize| matches!(classes(Dimension::ALL[d])[c].reading, Reading::Inside(_));
    let mut pairs = Vec::new();
    for a in 0..Dimension::ALL.len() {
        for b in a + 1..Dimension::ALL.len() {
            for ca in 0..classes(Dimension::ALL[a]).len() {
                for cb in 0..classes(Dimension::ALL[b]).len() {
                    if usable(a, ca) && usable(b, cb) && (plain(a, ca) || plain(b, cb)) {
                        pairs.push(((a, ca), (b, cb)));
                    }
                }
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(choices: &[(Dimension, &str)]) -> Draft {
        let mut d = Draft([0; 10]);
        d.0[1] = 1; // operationId: ascii
        d.0[2] = 1; // to: peer
        for (dimension, name) in choices {
            let at = Dimension::ALL.iter().position(|x| x == dimension).expect("dimension");
            d.0[at] = classes(*dimension).iter().position(|c| c.name == *name).expect("class");
        }
        d
    }

    #[test]
    fn lengths_are_what_their_names_say() {
        for (dimension, limit) in [
            (Dimension::OperationId, 50),
            (Dimension::Subject, 250),
            (Dimension::ThreadId, 250),
        ] {
            for class in classes(dimension) {
                let Some(text) = class.value.text() else { continue };
                let template = crate::case::Template::parse(&text).expect("a template");
                let values = crate::explore::script::StandIn::new(1, Vec::new());
                let rendered = template.render(&values).expect("renders");
                assert_eq!(rendered.contains("00000001"), text.contains(OP));
                let chars = rendered.chars().count();
                if class.name.ends_with("-at-limit") {
                    assert_eq!(chars, limit, "{}", class.name);
                }
                if class.name.ends_with("-over-limit") {
                    assert!(chars > limit, "{}", class.name);
                }
            }
        }
    }

    #[test]
    fn the_page_reading_of_a_request() {
        assert_eq!(reading(&draft(&[])), Judged::Accept(Severity::Must));
        assert_eq!(
            reading(&draft(&[(Dimension::Unknown, "session-context")])),
            Judged::Accept(Severity::Should)
        );
        let missing = reading(&draft(&[(Dimension::OperationId, "absent")]));
        assert!(matches!(
            missing,
            Judged::Refuse {
                severity: Severity::Must,
                subcode: true,
                ..
            }
        ));
        let both = reading(&draft(&[
            (Dimension::OperationId, "absent"),
            (Dimension::Subject, "ascii-over-limit"),
        ]));
        assert!(matches!(
            both,
            Judged::Refuse {
                severity: Severity::Must,
                subcode: false,
                ..
            }
        ));
        assert_eq!(
            reading(&draft(&[(Dimension::Importance, "lower-case")])),
            Judged::Either
        );
        let no_to = reading(&draft(&[(Dimension::To, "absent")]));
        assert!(matches!(no_to, Judged::Refuse { subcode: true, .. }), "{no_to:?}");
        assert_eq!(
            reading(&draft(&[(Dimension::To, "absent"), (Dimension::ToQuery, "peer")])),
            Judged::Accept(Severity::Must)
        );
        assert_eq!(
            reading(&draft(&[(Dimension::ToQuery, "no-scheme")])),
            Judged::Either,
            "to twice, one outside: the page does not say which wins"
        );
    }
}
