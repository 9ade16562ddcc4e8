//! Property tests, run briefly by `cargo test` (longer with `UCWA_FUZZ_ITERATIONS=N`): mutated
//! case files and mutated responses never panic the loader or the parsers. Mutations come from a
//! seeded generator, so a failure names the seed that reproduces it.

use std::path::{Path, PathBuf};
use ucwa_conformance::case::{Media, parse_case};
use ucwa_conformance::wire::{parse_batch, parse_error, parse_resource};

/// xorshift64*: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&str] = &[
    "\"",
    "{{",
    "}}",
    "{{capture:x}}",
    "{{chars:999999999999}}",
    "[[step]]",
    "=",
    "\n",
    "\u{0}",
    "\u{feff}",
    "é",
    "]]",
    "{",
    "}",
    "<",
    ">",
    "</",
    "&amp;",
    "xmlns=\"x\"",
    ":",
    "\\",
    "null",
    "[",
    "]",
    "999999999999999999999",
    "-1",
];

/// One random edit of `text`: flip, insert, delete, duplicate or truncate.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 if !chars.is_empty() => {
                let i = at.min(chars.len() - 1);
                chars[i] = char::from_u32(rng.below(0x250) as u32).unwrap_or('?');
            }
            1 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                chars.splice(at..at, piece.chars());
            }
            2 => {
                let end = (at + rng.below(40)).min(chars.len());
                chars.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(80)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

fn iterations() -> usize {
    std::env::var("UCWA_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            case_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn mutated_case_files_load_or_fail_with_a_position_never_panic() {
    let mut files = Vec::new();
    case_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &mut files);
    files.sort();
    let seeds: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..iterations() {
        let seed = &seeds[i % seeds.len()];
        let text = mutate(&mut rng, seed);
        if let Err(error) = parse_case(Path::new("fuzz.toml"), &text) {
            assert!(error.at.line >= 1 && error.at.column >= 1, "iteration {i}: {error}");
            assert!(error.to_string().contains("fuzz.toml:"), "iteration {i}: {error}");
        }
    }
}

const RESPONSES: &[(Media, &str)] = &[
    (
        Media::Json,
        r#"{"rel":"application","_links":{"self":{"href":"/a/1"},"events":{"href":"/a/1/events?ack=1"}},"_embedded":{"communication":{"_links":{"startMessaging":{"href":"/a/1/c/m","revision":"2"}}}}}"#,
    ),
    (
        Media::Json,
        r#"{"code":"Conflict","subcode":"AlreadyExists","message":"m"}"#,
    ),
    (
        Media::Json,
        r#"{"_links":{"next":{"href":"/e?ack=2"}},"sender":[{"rel":"communication","href":"/c","events":[{"link":{"rel":"messagingInvitation","href":"/m/1"},"type":"completed","status":"Failure","reason":{"code":"RemoteFailure","subcode":"Declined"},"_embedded":{"messagingInvitation":{"operationId":"o","_embedded":{"acceptedByParticipant":[{"rel":"participant"}]}}}}]}]}"#,
    ),
    (
        Media::Xml,
        r#"<resource rel="application" href="/a/1" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><link rel="events" href="/e"/><property name="x">y</property><propertyList name="l"><item>a</item></propertyList><resource rel="communication" href="/c"><link rel="startMessaging" href="/m"/></resource></resource>"#,
    ),
    (
        Media::Xml,
        r#"<reason xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><code>Conflict</code><subcode>TooManyGroups</subcode><message>m</message></reason>"#,
    ),
    (
        Media::Xml,
        r#"<events href="/e?ack=1" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><link rel="next" href="/e?ack=2"/><sender rel="communication" href="/c"><completed rel="messagingInvitation" href="/m/1" status="Failure"><reason><code>RemoteFailure</code><subcode>Declined</subcode></reason><resource rel="messagingInvitation" href="/m/1"><property name="operationId">o</property></resource></completed></sender></events>"#,
    ),
];

#[test]
fn mutated_responses_parse_or_fail_never_panic() {
    let mut rng = Rng(0x51_7cc1_b727_220a);
    for i in 0..iterations() * 2 {
        let (media, seed) = RESPONSES[i % RESPONSES.len()];
        let text = mutate(&mut rng, seed);
        for m in [media, Media::Json, Media::Xml] {
            let _ = parse_resource(m, &text);
            let _ = parse_error(m, &text);
            let _ = parse_batch(m, &text);
        }
    }
}
