"""Every overlay renders, validates strictly against Kubernetes' schemas, and keeps the rules."""

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ("grid", "enterprise", "community")
CUSTOM = {"RabbitmqCluster", "MongoDBCommunity"}  # operators' CRDs: no schema offline
SERVICES = ("members", "scoring", "volunteer", "notify", "gateway")

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def render(overlay: str) -> list[dict]:
    out = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "deploy" / "k8s" / "overlays" / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def deployments(docs: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_validates_strictly(overlay):
    docs = render(overlay)
    for doc in docs:
        if doc["kind"] in CUSTOM:
            assert doc["spec"]["replicas" if doc["kind"] == "RabbitmqCluster" else "members"] == 3
        else:
            kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)
    assert {"Service", "PodDisruptionBudget", "ConfigMap"} <= {d["kind"] for d in docs}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_observable_bounded_and_unprivileged(overlay):
    found = deployments(render(overlay))
    assert set(found) == set(SERVICES)
    for name, deployment in found.items():
        pod = deployment["spec"]["template"]
        annotations = pod["metadata"]["annotations"]
        assert (
            annotations["prometheus.io/scrape"] == "true"
            and annotations["prometheus.io/path"] == "/metrics"
        )
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        assert pod["spec"]["terminationGracePeriodSeconds"] == 30
        (container,) = pod["spec"]["containers"]
        assert container["image"].startswith("dangjian/platform:")
        assert (
            container["resources"]["limits"]
            and container["livenessProbe"]
            and container["readinessProbe"]
        )
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        env = {e["name"] for e in container["env"]}
        assert "AMQP_URI" in env
        assert ("TOKEN_SECRET" in env) == (name == "gateway")
        assert ({"PII_KEY", "PII_HASH_KEY"} <= env) == (name in ("members", "volunteer"))
        assert ("MONGO_URI" in env) == (name != "gateway")


def test_shapes_differ_as_intended():
    replicas = {
        o: {n: d["spec"]["replicas"] for n, d in deployments(render(o)).items()} for o in OVERLAYS
    }
    assert replicas["grid"]["notify"] > replicas["enterprise"]["notify"]
    assert replicas["enterprise"]["scoring"] > replicas["grid"]["scoring"]
    assert replicas["community"]["gateway"] == max(r["gateway"] for r in replicas.values())
