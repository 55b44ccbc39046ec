//! The AWS Service Authorization Reference as a compact table: every service prefix, its
//! actions (access levels, resource types, condition keys), its resource types (ARN
//! formats) and its condition keys (types), plus the global condition keys.
//!
//! It is what a policy linter needs to tell `s3:PutObjects` from `s3:PutObject`, to know
//! that `aws:TagKeys` is multivalued or that `aws:SourceIp` is an IP address, and to see
//! that `arn:aws:s3:::bucket/*` can never name a bucket.
//!
//! ```
//! use iam_eval_service_ref::{action, condition_key, service, KeyType};
//!
//! let s3 = service("s3").unwrap();
//! let put = s3.action("putobject").unwrap();
//! assert_eq!(put.name(), "PutObject");
//! assert!(put.resource_types().any(|r| r.resource_type().name() == "object"));
//! assert!(put.condition_key("s3:x-amz-server-side-encryption").is_some());
//! assert!(put.resource_may_match("arn:aws:s3:::my-bucket/*"));
//! assert!(!put.resource_may_match("arn:aws:s3:::my-bucket"));
//!
//! assert!(s3.action("PutObjects").is_none());
//! assert_eq!(s3.did_you_mean_action("PutObjects").unwrap().name(), "PutObject");
//!
//! let tag = condition_key("aws:PrincipalTag/team").unwrap();
//! assert_eq!(tag.name(), "aws:PrincipalTag/${TagKey}");
//! assert_eq!(condition_key("aws:SourceIp").unwrap().key_type(), KeyType::IpAddress);
//! assert!(condition_key("aws:TagKeys").unwrap().multivalued());
//! assert_eq!(action("S3:GETOBJECT").unwrap().to_string(), "s3:GetObject");
//! ```
//!
//! # Case
//!
//! Service prefixes, action names and condition key names are compared ignoring ASCII
//! case, as AWS compares them; names come back as the source spells them. Resource type
//! names are looked up the same way. ARN formats are matched case-sensitively, as ARNs are.
//!
//! # Cost
//!
//! The table is one byte string compiled into the binary (about 1.3 MB). Nothing is
//! decoded at start-up and no lookup allocates: a lookup is a binary search over fixed-size
//! records. Resolving a template key (`aws:PrincipalTag/team`) adds a scan of the templates
//! sharing the name's first letter. The "did you mean" helpers compute one bounded edit
//! distance per candidate and cap their input at 256 bytes. [`ArnFormat::may_match`] takes
//! `policy ARN length × format length` steps.
//!
//! # Source
//!
//! Generated from the version of the PyPI package named in [`SOURCE`] and [`VERSION`] by
//! `python3 service-ref/generate.py`; the global condition keys come from a list kept by
//! hand beside it. `DATA.md` in the crate folder says where the data comes from and how to
//! regenerate or update it.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod arn;
mod blob;
mod generated;
mod key;
mod service;
mod text;

pub use arn::ArnFormat;
pub use blob::{validate, DataError};
pub use key::{
    condition_key, did_you_mean_condition_key, global_condition_keys, ConditionKey, KeyType,
};
pub use service::{
    action, did_you_mean_service, service, services, AccessLevel, AccessLevels, Action,
    ActionResource, ResourceType, Service,
};

/// Where the table comes from: the registry and package it was generated from.
pub const SOURCE: &str = generated::SOURCE;
/// The version of [`SOURCE`] the table was generated from.
pub const VERSION: &str = generated::VERSION;
/// The licence of [`SOURCE`] (SPDX identifier).
pub const LICENSE: &str = generated::LICENSE;
/// The date (`YYYY-MM-DD`, UTC) the source version was pinned. The generator writes no
/// other date, so regenerating gives the same bytes.
pub const GENERATED_ON: &str = generated::GENERATED_ON;
/// When the source package says its data was last updated from AWS.
pub const SOURCE_UPDATED_AT: &str = generated::SOURCE_UPDATED_AT;
/// Where the source package was downloaded from.
pub const SOURCE_URL: &str = generated::SOURCE_URL;
/// The SHA-256 of the downloaded source package, in hex.
pub const SOURCE_SHA256: &str = generated::SOURCE_SHA256;
