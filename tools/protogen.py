"""Generate the Python contracts in fairwind/v1/ from proto/fairwind/v1/*.proto.

Usage, from anywhere (paths are taken relative to the repository root):
    python tools/protogen.py          # regenerate fairwind/v1/ (stale files are removed)
    python tools/protogen.py --check  # exit 1 if fairwind/v1/ differs from a fresh generation
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
PACKAGE = Path("fairwind") / "v1"
OUT_DIR = ROOT / PACKAGE
INIT_TEXT = '"""Generated protobuf/gRPC contracts (tools/protogen.py); do not edit."""\n'


def read_tree(directory: Path) -> dict[str, bytes]:
    """Every regular file directly in directory, by name (subdirectories such as
    __pycache__ are not part of the generated package)."""
    if not directory.is_dir():
        return {}
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.is_file()}


def generate(out_root: Path) -> dict[str, bytes]:
    """Run protoc over every proto with out_root as output root; return the package files."""
    protos = sorted(str(path) for path in (PROTO_ROOT / PACKAGE).glob("*.proto"))
    if not protos:
        raise SystemExit(f"no .proto files under {PROTO_ROOT / PACKAGE}")
    well_known = Path(grpc_tools.__file__).resolve().parent / "_proto"
    code = int(
        protoc.main(
            [
                "grpc_tools.protoc",
                f"-I{PROTO_ROOT}",
                f"-I{well_known}",
                f"--python_out={out_root}",
                f"--pyi_out={out_root}",
                f"--grpc_python_out={out_root}",
                *protos,
            ]
        )
    )
    if code != 0:
        raise SystemExit(f"protoc failed with exit code {code}")
    package_dir = out_root / PACKAGE
    (package_dir / "__init__.py").write_text(INIT_TEXT, encoding="utf-8")
    return read_tree(package_dir)


def compare(fresh: dict[str, bytes], current: dict[str, bytes]) -> list[tuple[str, str]]:
    """(kind, file name) for every file missing from, extra in, or changed in current."""
    result: list[tuple[str, str]] = []
    for name in sorted(fresh.keys() | current.keys()):
        if name not in current:
            result.append(("missing", name))
        elif name not in fresh:
            result.append(("extra", name))
        elif fresh[name] != current[name]:
            result.append(("changed", name))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate fairwind/v1 from proto/.")
    parser.add_argument(
        "--check", action="store_true", help="only compare; exit 1 if fairwind/v1 drifted"
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="protogen-") as tmp:
        fresh = generate(Path(tmp))
    current = read_tree(OUT_DIR)
    differences = compare(fresh, current)

    if options.check:
        for kind, name in differences:
            print(f"{kind:8} {PACKAGE / name}")
        if differences:
            print(f"{PACKAGE} drifted from proto/: run python tools/protogen.py", file=sys.stderr)
            return 1
        print(f"{PACKAGE} is up to date ({len(fresh)} files)")
        return 0

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    actions = {"missing": "wrote", "changed": "updated", "extra": "removed"}
    for kind, name in differences:
        target = OUT_DIR / name
        if kind == "extra":
            target.unlink()
        else:
            target.write_bytes(fresh[name])
        print(f"{actions[kind]:8} {PACKAGE / name}")
    print(f"{PACKAGE}: {len(fresh)} files, {len(differences)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
