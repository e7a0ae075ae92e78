"""Exit 0 when every `name==version` pin of a requirements file is installed, 1 otherwise.

Usage: python infra/requirements_met.py REQUIREMENTS.txt
Lets scripts/validate-infra.sh and scripts/build-lambdas.sh skip `pip install` (and the
network) when the virtualenv already holds the pinned tools.
"""

import sys
from importlib.metadata import PackageNotFoundError, version


def unmet_pins(path):
    unmet = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            pin = line.split("#")[0].strip()
            if not pin:
                continue
            name, _, pinned = pin.partition("==")
            try:
                if version(name) != pinned:
                    unmet.append(pin)
            except PackageNotFoundError:
                unmet.append(pin)
    return unmet


if __name__ == "__main__":
    missing = unmet_pins(sys.argv[1])
    for pin in missing:
        print(f"{sys.argv[1]}: {pin} is not installed", file=sys.stderr)
    sys.exit(1 if missing else 0)
