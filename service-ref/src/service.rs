//! Services, their actions and their resource types.

use std::fmt;

use crate::arn::ArnFormat;
use crate::blob::{
    self, action_name, action_rec, find, list_entry, partition_point, rtype_name, rtype_rec,
    service_name, service_rec, str_bytes, Run, HIGH_BIT,
};
use crate::key::{key_in_list, ConditionKey};
use crate::text::{cmp_ci, distance_within, suggestion_limit, wildcard_match_ci, MAX_NAME_LEN};

/// An AWS service, named by its prefix (`s3`, `iam`, `ec2`, …).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Service(pub(crate) u32);

fn all_services() -> Run {
    Run {
        start: 0,
        len: blob::service_count(),
    }
}

/// Looks up a service by prefix, ignoring ASCII case: `service("S3")` is `s3`.
pub fn service(prefix: &str) -> Option<Service> {
    find(all_services(), prefix.as_bytes(), service_name).map(Service)
}

/// Every service, sorted by prefix.
pub fn services() -> impl ExactSizeIterator<Item = Service> {
    (0..blob::service_count()).map(Service)
}

/// Looks up an action by its qualified name, ignoring ASCII case: `action("s3:getobject")`
/// is `s3:GetObject`. No wildcards: see [`Service::actions_matching`].
pub fn action(qualified: &str) -> Option<Action> {
    let (prefix, name) = qualified.split_once(':')?;
    service(prefix)?.action(name)
}

/// The service whose prefix is nearest to `prefix` within a small edit distance, ignoring
/// ASCII case: `did_you_mean_service("s4")` is `s3`. Input longer than 256 bytes gets no
/// suggestion.
pub fn did_you_mean_service(prefix: &str) -> Option<Service> {
    nearest(all_services(), prefix.as_bytes(), service_name).map(Service)
}

/// The index in `run` whose name is nearest to `input` within the suggestion limit, the
/// first in table order on ties.
fn nearest(run: Run, input: &[u8], name_of: impl Fn(u32) -> u32) -> Option<u32> {
    if input.len() > MAX_NAME_LEN {
        return None;
    }
    let mut best: Option<(usize, u32)> = None;
    let mut bound = suggestion_limit(input.len());
    for i in run.start..run.end() {
        if let Some(d) = distance_within(str_bytes(name_of(i)), input, bound) {
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i));
                match d.checked_sub(1) {
                    Some(b) => bound = b,
                    None => break,
                }
            }
        }
    }
    best.map(|(_, i)| i)
}

impl Service {
    /// The service prefix, as used in actions (`s3` in `s3:GetObject`).
    pub fn prefix(self) -> &'static str {
        blob::str_at(service_rec(self.0).name)
    }

    /// The service's actions, sorted by name.
    pub fn actions(self) -> impl ExactSizeIterator<Item = Action> {
        let run = service_rec(self.0).actions;
        (run.start..run.end()).map(Action)
    }

    /// Looks up an action of this service by name, ignoring ASCII case.
    pub fn action(self, name: &str) -> Option<Action> {
        let run = service_rec(self.0).actions;
        find(run, name.as_bytes(), action_name).map(Action)
    }

    /// The actions whose names match the IAM wildcard `pattern` (`*` any run, `?` one
    /// character), ignoring ASCII case: `actions_matching("Get*")`.
    ///
    /// Only the actions sharing the pattern's literal prefix are tested, each in at most
    /// `pattern length × name length` steps; a pattern longer than 256 bytes matches
    /// nothing.
    pub fn actions_matching(self, pattern: &str) -> impl Iterator<Item = Action> + '_ {
        let pattern = pattern.as_bytes();
        let run = service_rec(self.0).actions;
        let literal = pattern
            .iter()
            .position(|&c| c == b'*' || c == b'?')
            .map_or(pattern, |i| pattern.get(..i).unwrap_or(pattern));
        let start = partition_point(run, |a| {
            cmp_ci(str_bytes(action_name(a)), literal) == std::cmp::Ordering::Less
        });
        let end = if pattern.len() > MAX_NAME_LEN {
            start
        } else {
            partition_point(
                Run {
                    start,
                    len: run.end() - start,
                },
                |a| crate::text::starts_with_ci(str_bytes(action_name(a)), literal),
            )
        };
        (start..end)
            .filter(move |&a| wildcard_match_ci(pattern, str_bytes(action_name(a))))
            .map(Action)
    }

    /// The action of this service whose name is nearest to `name` within a small edit
    /// distance, ignoring ASCII case: for `s3`, `PutObjects` gives `PutObject`.
    ///
    /// A third of the input's length (at least 2) is the largest distance suggested; input
    /// longer than 256 bytes gets no suggestion. One bounded edit distance per action of
    /// the service.
    pub fn did_you_mean_action(self, name: &str) -> Option<Action> {
        nearest(service_rec(self.0).actions, name.as_bytes(), action_name).map(Action)
    }

    /// The service's resource types, sorted by name.
    pub fn resource_types(self) -> impl ExactSizeIterator<Item = ResourceType> {
        let run = service_rec(self.0).rtypes;
        (run.start..run.end()).map(ResourceType)
    }

    /// Looks up a resource type of this service by name, ignoring ASCII case.
    pub fn resource_type(self, name: &str) -> Option<ResourceType> {
        let run = service_rec(self.0).rtypes;
        find(run, name.as_bytes(), rtype_name).map(ResourceType)
    }

    /// The condition keys the service defines (the `aws:` tag keys it supports among
    /// them), sorted by name. Global keys are not repeated here: see
    /// [`global_condition_keys`](crate::global_condition_keys).
    pub fn condition_keys(self) -> impl ExactSizeIterator<Item = ConditionKey> {
        let run = service_rec(self.0).keys;
        (run.start..run.end()).map(|i| ConditionKey(list_entry(i)))
    }

    /// Looks up a condition key this service defines, ignoring ASCII case; an instance of
    /// a template key resolves to the template (`s3:ExistingObjectTag/team` gives
    /// `s3:ExistingObjectTag/<key>`).
    pub fn condition_key(self, name: &str) -> Option<ConditionKey> {
        key_in_list(service_rec(self.0).keys, name)
    }

    /// Whether the policy ARN `resource` may denote a resource of any of this service's
    /// resource types (see [`ArnFormat::may_match`]).
    pub fn arn_may_match(self, resource: &str) -> bool {
        self.resource_types().any(|t| t.may_match(resource))
    }
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Service").field(&self.prefix()).finish()
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// One access level of the Service Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    /// `List`.
    List,
    /// `Read`.
    Read,
    /// `Write`.
    Write,
    /// `Permissions management`.
    PermissionsManagement,
    /// `Tagging`.
    Tagging,
}

impl AccessLevel {
    const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
        AccessLevel::Tagging,
    ];

    fn bit(self) -> u8 {
        match self {
            AccessLevel::List => 1,
            AccessLevel::Read => 2,
            AccessLevel::Write => 4,
            AccessLevel::PermissionsManagement => 8,
            AccessLevel::Tagging => 16,
        }
    }

    /// The name the reference uses: `List`, `Read`, `Write`, `Permissions management`,
    /// `Tagging`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The access levels of an action. The source gives one, or two for actions that are both
/// `Write` and `Permissions management` or `Tagging` (`iam:CreatePolicy`,
/// `s3:PutObjectTagging`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccessLevels(u8);

impl AccessLevels {
    /// Whether `level` is among them.
    pub fn contains(self, level: AccessLevel) -> bool {
        self.0 & level.bit() != 0
    }

    /// The levels, in the order of [`AccessLevel`]'s variants.
    pub fn iter(self) -> impl Iterator<Item = AccessLevel> {
        AccessLevel::ALL
            .into_iter()
            .filter(move |l| self.contains(*l))
    }
}

impl fmt::Debug for AccessLevels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// An action of a service, such as `s3:GetObject`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Action(pub(crate) u32);

impl Action {
    /// The action's name as AWS capitalises it, without the service prefix.
    pub fn name(self) -> &'static str {
        blob::str_at(action_rec(self.0).name)
    }

    /// The service the action belongs to.
    pub fn service(self) -> Service {
        Service(action_rec(self.0).service)
    }

    /// The access levels the reference gives the action.
    pub fn access_level(self) -> AccessLevels {
        AccessLevels(action_rec(self.0).access)
    }

    /// The resource types the action can act on, each with whether it is required. None
    /// means the action supports no resource-level permissions: only `"*"` names its
    /// resources.
    pub fn resource_types(self) -> impl ExactSizeIterator<Item = ActionResource> {
        let run = action_rec(self.0).resources;
        (run.start..run.end()).map(|i| {
            let entry = list_entry(i);
            ActionResource {
                resource_type: ResourceType(entry & !HIGH_BIT),
                required: entry & HIGH_BIT != 0,
            }
        })
    }

    /// The condition keys the reference lists for the action, including those listed
    /// with one of its resource types, sorted by name.
    pub fn condition_keys(self) -> impl ExactSizeIterator<Item = ConditionKey> {
        let run = action_rec(self.0).keys;
        (run.start..run.end()).map(|i| ConditionKey(list_entry(i)))
    }

    /// Looks up one of [`condition_keys`](Self::condition_keys) by name, ignoring ASCII
    /// case and resolving template instances.
    pub fn condition_key(self, name: &str) -> Option<ConditionKey> {
        key_in_list(action_rec(self.0).keys, name)
    }

    /// Whether the policy ARN `resource` may denote a resource of one of the action's
    /// resource types (see [`ArnFormat::may_match`]). False for an action without resource
    /// types, whatever `resource` is.
    pub fn resource_may_match(self, resource: &str) -> bool {
        self.resource_types()
            .any(|r| r.resource_type().may_match(resource))
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Action")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service().prefix(), self.name())
    }
}

/// A resource type an action can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionResource {
    resource_type: ResourceType,
    required: bool,
}

impl ActionResource {
    /// The resource type.
    pub fn resource_type(self) -> ResourceType {
        self.resource_type
    }

    /// Whether the reference marks it required (`*` in its tables): a statement limiting
    /// the action's resources must then include an ARN of this type.
    pub fn required(self) -> bool {
        self.required
    }
}

/// A resource type of a service, such as `s3`'s `object`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceType(pub(crate) u32);

impl ResourceType {
    /// The resource type's name.
    pub fn name(self) -> &'static str {
        blob::str_at(rtype_rec(self.0).name)
    }

    /// The service the resource type belongs to.
    pub fn service(self) -> Service {
        Service(rtype_rec(self.0).service)
    }

    /// The ARN formats of the resource type, such as
    /// `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub fn arn_formats(self) -> impl ExactSizeIterator<Item = ArnFormat> {
        let run = rtype_rec(self.0).formats;
        (run.start..run.end()).map(|i| {
            let entry = list_entry(i);
            ArnFormat::new(blob::str_at(entry & !HIGH_BIT), entry & HIGH_BIT != 0)
        })
    }

    /// The condition keys the reference lists for the resource type, sorted by name.
    pub fn condition_keys(self) -> impl ExactSizeIterator<Item = ConditionKey> {
        let run = rtype_rec(self.0).keys;
        (run.start..run.end()).map(|i| ConditionKey(list_entry(i)))
    }

    /// Whether the policy ARN `resource` may denote a resource of this type: whether it
    /// may match one of [`arn_formats`](Self::arn_formats).
    pub fn may_match(self, resource: &str) -> bool {
        self.arn_formats().any(|f| f.may_match(resource))
    }
}

impl fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResourceType")
            .field(&format_args!("{}/{}", self.service().prefix(), self.name()))
            .finish()
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
