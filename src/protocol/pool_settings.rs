//! The names by which cogbench asks its emulator for a pool a case needs, and by which a pool
//! owner's set-up (the README's recipes) meets the same cases: shared by the emulator that
//! reads them and the provisioning that writes them.

/// The function the emulator runs in-process as a post-confirmation trigger.
pub const REFERENCE_TRIGGER: &str = "cogbench-reference-trigger";
/// Its ARN as cogbench's provisioning writes it (the emulator reads the function name only).
pub const REFERENCE_TRIGGER_ARN: &str =
    "arn:aws:lambda:us-east-1:000000000000:function:cogbench-reference-trigger";
/// The ClientMetadata key the reference trigger (and the README's recipe) acts on.
pub const TRIGGER_BEHAVIOUR_KEY: &str = "cogbench-trigger";
/// The header the web ACL rule of a `web-acl` pool blocks.
pub const WAF_HEADER: &str = "x-cogbench-waf";

/// `UserPoolTags` keys the emulator reads.
pub const TAG_BLOCK_HEADER: &str = "cogbench:web-acl:block-header";
pub const TAG_QUOTA: &str = "cogbench:quota:user-creation";
pub const TAG_FAULT: &str = "cogbench:fault";
