//! Parsing what a target sent: JSON values and XML documents, within one nesting limit.
//!
//! Every reader of target text (resources, events, error bodies, the snapshot normaliser) parses
//! through here, so a body nested thousands of levels deep is refused before any recursive walk
//! can overflow a thread's stack. serde_json stops at the same depth on its own; roxmltree parses
//! without recursion, and its tree is measured here in one pass.

/// The deepest nesting read from a target, in elements (XML) or objects and arrays (JSON).
pub const MAX_DEPTH: usize = 128;

/// Why a body a target sent could not be read as what UCWA sends there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Not JSON.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// Not XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// Nested deeper than [`MAX_DEPTH`] (`JSON` or `XML`).
    #[error("malformed {0}: nested deeper than {MAX_DEPTH} levels (the suite's limit on what a target sends)")]
    TooDeep(&'static str),
    /// Well-formed, but not the shape UCWA gives it there (the message says what).
    #[error("{0}")]
    Shape(String),
}

/// Parses JSON text, refusing nesting deeper than [`MAX_DEPTH`].
pub fn json(text: &str) -> Result<serde_json::Value, WireError> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json's own recursion limit is 128, the same as ours.
        if e.to_string().starts_with("recursion limit exceeded") {
            WireError::TooDeep("JSON")
        } else {
            WireError::Json(e.to_string())
        }
    })
}

/// Parses XML text, refusing nesting deeper than [`MAX_DEPTH`].
pub fn xml(text: &str) -> Result<roxmltree::Document<'_>, WireError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| WireError::Xml(e.to_string()))?;
    // Nodes come in document order, each after its parent: one pass gives every depth.
    let mut depths: Vec<usize> = Vec::new();
    for node in doc.descendants() {
        let above = node
            .parent()
            .and_then(|p| depths.get(p.id().get_usize()).copied())
            .unwrap_or(0);
        let depth = above + usize::from(node.is_element());
        if depth > MAX_DEPTH {
            return Err(WireError::TooDeep("XML"));
        }
        let id = node.id().get_usize();
        if depths.len() <= id {
            depths.resize(id + 1, 0);
        }
        depths[id] = depth;
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn nested_xml(levels: usize) -> String {
        format!("{}{}", "<a>".repeat(levels), "</a>".repeat(levels))
    }

    fn nested_json(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[rstest]
    #[case(10, true)]
    #[case(MAX_DEPTH, true)]
    #[case(MAX_DEPTH + 1, false)]
    #[case(100_000, false)]
    fn xml_nesting_is_bounded(#[case] levels: usize, #[case] accepted: bool) {
        let text = nested_xml(levels);
        match xml(&text) {
            Ok(_) => assert!(accepted, "{levels} levels accepted"),
            Err(e) => {
                assert!(!accepted, "{levels} levels refused: {e}");
                assert!(e.to_string().contains("deeper than 128 levels"), "{e}");
            }
        }
    }

    #[rstest]
    #[case(10, true)]
    #[case(200, false)]
    #[case(100_000, false)]
    fn json_nesting_is_bounded(#[case] levels: usize, #[case] accepted: bool) {
        match json(&nested_json(levels)) {
            Ok(_) => assert!(accepted, "{levels} levels accepted"),
            Err(e) => {
                assert!(!accepted, "{levels} levels refused: {e}");
                assert!(e.to_string().contains("deeper than 128 levels"), "{e}");
            }
        }
    }
}
