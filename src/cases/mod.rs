//! The case catalog (data in `fixtures/cases.yaml`), request templates and the judge.

pub mod answer;
mod catalog;
pub mod errors;
mod exchange;
pub mod judge;
mod kinds;
mod members;
pub mod recorded;
mod request;
mod value;

pub use answer::{NormalisedAnswer, Pattern, PatternKind, State, Tally};
pub use catalog::{
    BodyShape, CASE_ID_PATTERN, Capability, Case, Catalog, ClientKind, Confidence, Expect, Field,
    PoolVariant, PostCheck, Repeat, Requirement, Slot, TargetHeader, UserKind, Value, Whom,
    default_content_types,
};
pub use judge::{Answer, Check, Class, Difference, Judgement};
pub(crate) use members::{item as validation_item, validation_message};
pub use request::{ClientView, RequestTemplate, UserView, wrong_code};
pub use value::{
    MAX_REQUEST_BYTES, check_members_size, check_request_size, member_size, string_value_pattern,
};
