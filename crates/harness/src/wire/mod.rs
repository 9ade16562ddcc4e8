//! UCWA representations on the wire: content types, request inputs, and the resources and
//! error bodies servers answer with, in JSON and in XML.
//!
//! Pure functions over text; no I/O. May use `case` (for [`Media`](crate::case::Media)).

mod content_type;
mod error_body;
mod events;
mod input;
pub mod parse;
mod resource;

pub use content_type::{Family, family, request_content_type};
pub use error_body::{ErrorBody, parse_error};
pub use events::{Batch, Event, parse_batch};
pub use input::{escape_xml, render_input_with};
pub use parse::WireError;
pub use resource::{Link, Property, Resource, local_name, parse_resource};

/// The UCWA XML namespace.
pub const UCWA_NS: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";
