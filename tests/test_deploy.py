"""The production compose file stays valid: every service healthy-checked, the app wired to all."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_compose_declares_the_production_stack() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"vllm", "qdrant", "postgres", "redis", "app"} <= set(services)
    for name in ("vllm", "qdrant", "postgres", "redis", "app"):
        assert "healthcheck" in services[name], name
    vllm = " ".join(services["vllm"]["command"])
    assert "--enable-auto-tool-choice" in vllm and "--enable-lora" in vllm and "--tool-call-parser" in vllm
    assert services["vllm"]["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    env = services["app"]["environment"]
    assert env["CONCIERGE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["CONCIERGE_REDIS_URL"].startswith("redis://") and env["CONCIERGE_QDRANT_URL"].startswith("http://qdrant")
    assert env["CONCIERGE_LLM_URL"] == "http://vllm:8000/v1"
    assert set(services["app"]["depends_on"]) >= {"postgres", "redis", "qdrant", "vllm"}


def test_every_app_setting_in_compose_exists() -> None:
    from server.settings import Settings

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    fields = {f"CONCIERGE_{name.upper()}" for name in Settings.model_fields}
    used = {k for k in compose["services"]["app"]["environment"] if k.startswith("CONCIERGE_")}
    assert used <= fields, used - fields


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def _default(value: str) -> str:
    """`${VAR:-default}` as compose resolves it when VAR is unset."""
    import re

    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def _host_ports(entry: object) -> list[str]:
    """The host side of a `ports` entry (short "HOST:CONTAINER" or long syntax); [] if none."""
    if isinstance(entry, dict):
        return [str(entry["published"])] if entry.get("published") else []
    parts = _default(str(entry)).split(":")
    return [parts[-2]] if len(parts) >= 2 else []  # "CONTAINER" alone: an ephemeral host port


def test_no_two_containers_bind_the_same_host_port() -> None:
    """Two replicas of one service publishing "8000:8000" cannot both start."""
    bound: list[tuple[str, str]] = []
    for name, service in _compose()["services"].items():
        replicas = int((service.get("deploy") or {}).get("replicas", 1))
        for entry in service.get("ports", []):
            for port in _host_ports(entry):
                bound += [(port, f"{name}#{i}") for i in range(replicas)]
    ports = [p for p, _ in bound]
    assert len(ports) == len(set(ports)), sorted(bound)
    assert ("8000", "proxy#0") in bound  # the one public entry point


def test_the_proxy_reaches_every_app_replica() -> None:
    services = _compose()["services"]
    assert services["app"]["deploy"]["replicas"] >= 2 and "ports" not in services["app"]
    proxy = services["proxy"]
    assert "healthcheck" in proxy and proxy["depends_on"]["app"]["condition"] == "service_healthy"
    mount = next(v for v in proxy["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro"))
    caddyfile = (REPO / mount.split(":")[0]).read_text()
    assert "dynamic a" in caddyfile and "name app" in caddyfile and "port 8000" in caddyfile
    assert services["app"]["environment"]["FORWARDED_ALLOW_IPS"]  # shoppers' addresses, not the proxy's


def test_vllm_starts_without_an_adapter_in_the_repository() -> None:
    services = _compose()["services"]
    vllm = services["vllm"]
    args = [_default(a) for a in vllm["command"]]
    for arg in args:  # any adapter listed at start must exist, or vLLM refuses to start
        if arg.startswith("--lora-modules="):
            for module in arg.split("=", 1)[1].split():
                path = module.split("=", 1)[1].replace("/adapters", str(REPO / "adapters"), 1)
                assert Path(path, "adapter_config.json").exists(), module
    assert vllm["environment"]["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "True"
    served = next(a.split("=", 1)[1] for a in args if a.startswith("--served-model-name="))
    assert _default(services["app"]["environment"]["CONCIERGE_LLM_MODEL"]) == served
    assert (REPO / "adapters" / "README.md").read_text().count("load_lora_adapter") >= 1


def test_production_migrates_without_loading_the_demo_store() -> None:
    services = _compose()["services"]
    assert services["migrate"]["command"] == ["concierge", "migrate"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_image_has_the_code_and_the_data_it_reads_beside_it() -> None:
    """Paths come from __file__ (web_widget/, models, the demo store, migrations): the image must
    install the project in place, with every package and web_widget/ copied."""
    import tomllib

    dockerfile = (REPO / "Dockerfile").read_text()
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    needed = {p.rstrip("*") for p in packages["include"]} | {"web_widget"}
    assert needed <= copied, needed - copied
    install = " ".join(line for line in dockerfile.splitlines() if "pip install" in line and "torch" not in line)
    assert "-e ." in install and "-c requirements.lock" in install
    assert "torch==2.13.0" in dockerfile
