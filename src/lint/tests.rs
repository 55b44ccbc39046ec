use crate::Policy;

fn show(src: &str) -> Vec<String> {
    let p = Policy::parse(src).unwrap();
    p.lint()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {} | {} | {:?}",
                f.line(),
                f.column(),
                f.code(),
                f.path(),
                f.message(),
                f.help()
            )
        })
        .collect()
}

#[test]
fn seed() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:PutObjects"],
    "Resource": "arn:aws:s3:::example-bucket/*",
    "Condition": {
      "StringNotEquals": {"s3:x-amz-server-side-encrytion": "aws:kms "},
      "StringEquals": {"aws:TagKeys": "team"}
    }
  }]
}"#;
    for f in show(src) {
        println!("{f}");
    }
}
