//! The spec inventory (`cases/inventory.toml`): every testable item of the startMessaging2 page
//! and the facts around it, with its source, the source's tag and its level. Loaded with the same
//! file:line:column errors as case files. May use `case` and `diag`.

use crate::case::Severity;
use crate::diag::FileError;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;
use toml::Spanned;

/// The inventory's file name in the case directory (the case loader skips it).
pub const INVENTORY_FILE: &str = crate::case::INVENTORY_FILE;

/// Where an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceTag {
    /// The startMessaging2 page itself.
    Seed,
    /// Documented elsewhere in UCWA ([D]).
    Documented,
    /// Seen in a captured trace ([C]).
    Captured,
    /// Inferred ([I]): only ever the project's interpretation.
    Inferred,
}

impl SourceTag {
    /// The name used in the inventory and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceTag::Seed => "seed",
            SourceTag::Documented => "D",
            SourceTag::Captured => "C",
            SourceTag::Inferred => "I",
        }
    }
}

/// One testable item.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable id; cases cite it in `spec`.
    pub id: String,
    /// What it demands, in one line.
    pub title: String,
    /// Where it is written.
    pub source: String,
    /// The kind of source.
    pub tag: SourceTag,
    /// Must or should.
    pub level: Severity,
    /// The INTERPRETATION.md entry, when the item needs one.
    pub interpretation: Option<String>,
    /// Why the item has no case, when it is waived.
    pub waived: Option<String>,
    /// The area (resource) it belongs to, when the inventory declares areas.
    pub area: Option<String>,
}

/// A resource or group of resources whose items get a verdict of their own (`--area`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// Its name, as the UCWA docs name the resource (`startMessaging`, `me`, ...).
    pub id: String,
    /// What it covers, in a few words.
    pub title: String,
}

/// All items, in file order.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The areas, in file order.
    pub areas: Vec<Area>,
    /// The items.
    pub items: Vec<Item>,
}

impl Inventory {
    /// The area of the item `id`, if it has one.
    pub fn area_of(&self, id: &str) -> Option<&str> {
        self.items.iter().find(|i| i.id == id).and_then(|i| i.area.as_deref())
    }

    /// The areas of the items `spec` cites, in the inventory's order, each once.
    pub fn areas_of(&self, spec: &[String]) -> Vec<String> {
        let cited: BTreeSet<&str> = spec.iter().filter_map(|s| self.area_of(s)).collect();
        self.areas
            .iter()
            .filter(|a| cited.contains(a.id.as_str()))
            .map(|a| a.id.clone())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInventory {
    #[serde(rename = "area", default)]
    areas: Vec<RawArea>,
    #[serde(rename = "item")]
    items: Vec<RawItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    id: Spanned<String>,
    title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    title: String,
    source: String,
    tag: Spanned<String>,
    level: Spanned<String>,
    interpretation: Option<String>,
    waived: Option<String>,
    area: Option<Spanned<String>>,
}

/// Loads `dir/inventory.toml`.
pub fn load(dir: &Path) -> Result<Inventory, FileError> {
    let path = dir.join(INVENTORY_FILE);
    let source = std::fs::read_to_string(&path)
        .map_err(|e| FileError::unreadable(&path, format!("cannot read the spec inventory: {e}")))?;
    parse(&path, &source)
}

/// Parses and validates an inventory's text.
pub fn parse(path: &Path, source: &str) -> Result<Inventory, FileError> {
    let raw: RawInventory = toml::from_str(source)
        .map_err(|e| FileError::new(path, source, e.span().unwrap_or(0..0), e.message().trim().to_string()))?;
    let error = |span: Span, message: String| FileError::new(path, source, span, message);
    let mut areas: Vec<Area> = Vec::new();
    for area in raw.areas {
        if areas.iter().any(|a| &a.id == area.id.get_ref()) {
            return Err(error(area.id.span(), format!("duplicate area `{}`", area.id.get_ref())));
        }
        areas.push(Area {
            id: area.id.into_inner(),
            title: area.title,
        });
    }
    let mut seen = BTreeSet::new();
    let mut items = Vec::new();
    for item in raw.items {
        if !seen.insert(item.id.get_ref().clone()) {
            return Err(error(
                item.id.span(),
                format!("duplicate item id `{}`", item.id.get_ref()),
            ));
        }
        items.push(item_of(item, &areas, &error)?);
    }
    Ok(Inventory { areas, items })
}

/// Where in the inventory's text a value is.
type Span = std::ops::Range<usize>;

/// One item, checked: its area is declared (and named when areas are), its tag and level are
/// known, a captured or inferred item is not must, and an inferred one names its interpretation.
fn item_of(item: RawItem, areas: &[Area], error: &dyn Fn(Span, String) -> FileError) -> Result<Item, FileError> {
    let area = match (&item.area, areas.is_empty()) {
        (None, true) => None,
        (None, false) => {
            return Err(error(
                item.id.span(),
                format!(
                    "item `{}` has no area; the inventory declares areas, so every item names one",
                    item.id.get_ref()
                ),
            ));
        }
        (Some(area), _) if !areas.iter().any(|a| &a.id == area.get_ref()) => {
            let names: Vec<&str> = areas.iter().map(|a| a.id.as_str()).collect();
            return Err(error(
                area.span(),
                format!(
                    "unknown area `{}`{}",
                    area.get_ref(),
                    crate::diag::did_you_mean(&crate::diag::nearest(area.get_ref(), names.iter().copied(), 4, 1))
                ),
            ));
        }
        (Some(area), _) => Some(area.get_ref().clone()),
    };
    let tag = match item.tag.get_ref().as_str() {
        "seed" => SourceTag::Seed,
        "D" => SourceTag::Documented,
        "C" => SourceTag::Captured,
        "I" => SourceTag::Inferred,
        other => {
            return Err(error(
                item.tag.span(),
                format!("unknown tag `{other}`; expected seed, D, C or I"),
            ));
        }
    };
    let level = match item.level.get_ref().as_str() {
        "must" => Severity::Must,
        "should" => Severity::Should,
        other => {
            return Err(error(
                item.level.span(),
                format!("unknown level `{other}`; expected must or should"),
            ));
        }
    };
    if matches!(tag, SourceTag::Captured | SourceTag::Inferred) && level == Severity::Must {
        return Err(error(
            item.level.span(),
            format!(
                "item `{}` comes from a [{}] source and cannot be must",
                item.id.get_ref(),
                tag.as_str()
            ),
        ));
    }
    if tag == SourceTag::Inferred && item.interpretation.is_none() {
        return Err(error(
            item.tag.span(),
            format!(
                "item `{}` is an inference: name its INTERPRETATION.md entry",
                item.id.get_ref()
            ),
        ));
    }
    Ok(Item {
        id: item.id.into_inner(),
        title: item.title,
        source: item.source,
        tag,
        level,
        interpretation: item.interpretation,
        waived: item.waived,
        area,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const ITEM: &str = "[[item]]\nid = \"a\"\ntitle = \"t\"\nsource = \"s\"\n";

    #[rstest]
    #[case(&format!("{ITEM}tag = \"C\"\nlevel = \"must\"\n"), 6, "cannot be must")]
    #[case(&format!("{ITEM}tag = \"I\"\nlevel = \"should\"\n"), 5, "name its INTERPRETATION.md entry")]
    #[case(&format!("{ITEM}tag = \"X\"\nlevel = \"must\"\n"), 5, "unknown tag")]
    #[case(&format!("{ITEM}tag = \"D\"\nlevel = \"must\"\n{ITEM}tag = \"D\"\nlevel = \"must\"\n"), 8, "duplicate item id")]
    #[case(&format!("[[area]]\nid = \"me\"\ntitle = \"t\"\n{ITEM}tag = \"D\"\nlevel = \"must\"\n"), 5, "has no area")]
    #[case(&format!("[[area]]\nid = \"me\"\ntitle = \"t\"\n{ITEM}tag = \"D\"\nlevel = \"must\"\narea = \"mee\"\n"), 10, "unknown area `mee`; did you mean me?")]
    fn bad_inventories_name_the_line(#[case] text: &str, #[case] line: usize, #[case] words: &str) {
        let error = parse(Path::new("inventory.toml"), text).expect_err("invalid");
        assert_eq!(error.at.line, line, "{error}");
        assert!(error.to_string().contains(words), "{error}");
    }
}
