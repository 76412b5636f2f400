"""The container image, read as text (no Docker engine runs here): hadolint finds nothing, the
front ends are built the way scripts/web.sh builds them and the gateway Deployment serves them
from the image, and the build context leaves out what git ignores (installs, builds, data)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def lines(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines()} - {""}


def test_hadolint_finds_nothing():
    hadolint = Path(sys.executable).with_name("hadolint")
    found = subprocess.run(
        [str(hadolint), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert found.returncode == 0, found.stdout + found.stderr


def test_the_front_ends_are_built_as_scripts_web_sh_builds_them():
    web_sh = (ROOT / "scripts" / "web.sh").read_text()
    for command in ("npm ci --no-audit --no-fund --loglevel=error", "npm run --silent"):
        assert command in web_sh and command in DOCKERFILE
    assert re.search(r"^RUN npm run --silent build$", DOCKERFILE, re.M)
    engines = json.loads((ROOT / "gateway" / "web" / "package.json").read_text())["engines"]
    node = re.search(r"^FROM node:(\d+)\S* AS web$", DOCKERFILE, re.M)
    assert node and engines["node"].startswith(f">={node[1]}.")


def test_the_gateway_deployment_serves_the_front_ends_from_the_image():
    web_dir, app_dir = re.findall(r"^WORKDIR (\S+)$", DOCKERFILE, re.M)
    source, target = re.findall(r"^COPY --from=web (\S+) (\S+)$", DOCKERFILE, re.M)[0]
    assert source == f"{web_dir}/dist"
    assert f"ENV WEB_DIST_DIR={app_dir}/{target}\n" in DOCKERFILE
    docs = yaml.safe_load_all((ROOT / "deploy" / "k8s" / "base" / "gateway.yaml").read_text())
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    gateway = next(c for c in pod["containers"] if c["name"] == "gateway")
    command = json.loads(re.findall(r"^CMD (.+)$", DOCKERFILE, re.M)[-1])
    assert gateway["command"] == command  # run from the image's WORKDIR, where dist is
    assert "workingDir" not in gateway
    assert "WEB_DIST_DIR" not in {env["name"] for env in gateway["env"]}


def test_the_build_context_leaves_out_what_git_ignores():
    ignored = lines(ROOT / ".dockerignore")
    assert ".git" in ignored
    for pattern in lines(ROOT / ".gitignore"):
        if pattern.startswith("#"):
            continue
        name = pattern.rstrip("/")
        assert name in ignored or f"**/{name}" in ignored, pattern
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M)
    for path in " ".join(copied).split():
        parts = Path(path).parts
        assert not {"/".join(parts[: i + 1]) for i in range(len(parts))} & ignored, path
