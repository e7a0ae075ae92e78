"""Translate infra/template.yaml (AWS SAM) into plain CloudFormation JSON, offline.

Usage: python infra/translate_sam.py TEMPLATE.yaml OUT.json

The SAM transform normally runs inside CloudFormation. Running it here lets cfn-lint see
what SAM generates (Globals merged, roles, permissions, API stages), which catches
dangling references that linting the SAM source alone misses.

No AWS account is touched: local CodeUri/ContentUri paths become a placeholder S3 URI
(what `sam package` would upload), the region and partition are fixed, credentials are
fake, and the managed-policy loader is an offline one that answers from an empty map.
The template uses explicit IAM roles, so SAM never needs to resolve a managed policy.
"""

import json
import os
import sys

# Must be set before boto3 (imported by samtranslator) creates a session.
OFFLINE_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "offline",
    "AWS_SECRET_ACCESS_KEY": "offline",
    "AWS_EC2_METADATA_DISABLED": "true",
}
os.environ.update(OFFLINE_ENVIRONMENT)

from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

PLACEHOLDER_CODE_URI = "s3://offline-validation-placeholder/code.zip"

# Resource type -> property holding a local path that `sam package` would upload.
LOCAL_PATH_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class OfflineManagedPolicyLoader:
    """Stands in for SAM's IAM-backed loader; knows no managed policy names."""

    def load(self):
        return {}


def replace_local_paths(template):
    """Points every local code path at the placeholder S3 URI; returns how many changed."""
    replaced = 0
    for name, resource in template.get("Resources", {}).items():
        prop = LOCAL_PATH_PROPERTIES.get(resource.get("Type"))
        properties = resource.get("Properties", {})
        value = properties.get(prop) if prop else None
        if isinstance(value, str) and not value.startswith("s3://"):
            properties[prop] = PLACEHOLDER_CODE_URI
            replaced += 1
    return replaced


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: translate_sam.py TEMPLATE.yaml OUT.json\n")
        return 2
    source, target = argv[1], argv[2]
    with open(source, encoding="utf-8") as handle:
        template = yaml_parse(handle.read())
    replaced = replace_local_paths(template)
    translated = transform(template, {}, OfflineManagedPolicyLoader())
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(translated, handle, indent=2, sort_keys=True)
        handle.write("\n")
    resources = len(translated.get("Resources", {}))
    print(f"{source}: translated to {target} ({resources} resources, {replaced} local paths replaced)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
