"""Unit tests without processes: vLLM command construction and engine choice, key hashing, the rate limiter,
usage percentiles, and the gateway's refusal to bind a public address without any key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vibeflow.errors import ConfigError
from vibeflow.serving import engines, keys
from vibeflow.serving.limits import RateLimiter
from vibeflow.serving.usage import percentile, summarise


def _adapter(tmp_path: Path, name: str, rank: int) -> str:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "adapter_config.json").write_text(
        json.dumps({"r": rank, "base_model_name_or_path": "meta/llama"})
    )
    return str(folder)


def test_vllm_command(tmp_path: Path) -> None:
    adapters = {"bot-v1": _adapter(tmp_path, "a", 16), "bot-v2": _adapter(tmp_path, "b", 24)}
    launch = engines.vllm_launch(
        "meta/llama", adapters, 8123, chat_template="/x/chat_template.jinja", max_loras=1
    )
    argv = launch.argv
    assert argv[:3] == ["vllm", "serve", "meta/llama"]
    assert argv[argv.index("--port") + 1] == "8123" and argv[argv.index("--host") + 1] == "127.0.0.1"
    assert "--enable-lora" in argv
    start = argv.index("--lora-modules") + 1
    assert argv[start : start + 2] == [f"bot-v1={adapters['bot-v1']}", f"bot-v2={adapters['bot-v2']}"]
    assert argv[argv.index("--max-loras") + 1] == "2"  # never fewer slots than adapters
    assert argv[argv.index("--max-lora-rank") + 1] == "32"  # rank 24 rounds up to vLLM's next size
    assert argv[argv.index("--chat-template") + 1] == "/x/chat_template.jinja"
    assert launch.env == {"VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True"} and launch.port == 8123
    with pytest.raises(ConfigError):
        engines.vllm_launch("meta/llama", {}, 1)


def test_engine_choice() -> None:
    gpu = engines.Hardware(cuda=True, vllm=True)
    assert engines.choose_engine("auto", gpu) == "vllm"
    assert engines.choose_engine("cpu", gpu) == "cpu"
    assert engines.choose_engine("auto", engines.Hardware(cuda=False, vllm=False)) == "cpu"
    with pytest.raises(ConfigError) as caught:
        engines.choose_engine("vllm", engines.Hardware(cuda=False, vllm=True, detail="nvidia-smi not found"))
    assert "CUDA" in caught.value.message and "--engine cpu" in caught.value.fix
    with pytest.raises(ConfigError) as caught:
        engines.choose_engine("vllm", engines.Hardware(cuda=True, vllm=False))
    assert "vllm package" in caught.value.message
    with pytest.raises(ConfigError):
        engines.choose_engine("tpu", gpu)
    assert isinstance(engines.detect_hardware().cuda, bool)


def test_cpu_launch_writes_spec(tmp_path: Path) -> None:
    launch = engines.cpu_launch(tmp_path, "vibeflow-demo-tiny", {"bot-v1": "/a"}, threads=2, python="/py")
    assert launch.argv == ["/py", "-m", "vibeflow_trainer", "serve", str(tmp_path / "engine_spec.json")]
    spec = json.loads((tmp_path / "engine_spec.json").read_text())
    assert spec["adapters"] == {"bot-v1": "/a"} and spec["host"] == "127.0.0.1" and spec["threads"] == 2


def test_keys_are_hashed_with_scrypt_and_salt() -> None:
    one, two = keys.mint(), keys.mint()
    assert one.secret != two.secret and one.salt != two.salt
    assert one.secret not in one.hash and keys.prefix_of(one.secret) == one.prefix
    assert one.kdf.startswith("scrypt:")
    assert keys.verify(one.secret, one.hash, one.salt, one.kdf)
    assert not keys.verify(two.secret, one.hash, one.salt, one.kdf)
    assert keys.prefix_of("sk-something") is None and keys.prefix_of("vf-short-x") is None


def test_rate_limiter_window() -> None:
    limiter = RateLimiter()
    assert [limiter.check(1, 3, now=100.0 + i) for i in range(3)] == [0, 0, 0]
    assert limiter.check(1, 3, now=103.0) == 57  # the first hit leaves the window at t=160
    assert limiter.check(2, 3, now=103.0) == 0  # keys are independent
    assert limiter.check(1, 3, now=160.5) == 0


def test_percentiles_and_summary() -> None:
    assert percentile([], 50) is None
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)

    class Row:
        def __init__(self, status: int, latency: float) -> None:
            self.status, self.latency_ms, self.input_tokens, self.output_tokens, self.cost_usd = (
                status,
                latency,
                3,
                2,
                0.5,
            )

    summary = summarise([Row(200, 10), Row(200, 30), Row(503, 1)])
    assert (
        summary["requests"] == 3
        and summary["errors"] == 1
        and summary["error_rate"] == pytest.approx(0.3333, abs=1e-4)
    )
    assert summary["latency_ms"]["p50"] == 10 and summary["input_tokens"] == 9 and summary["cost_usd"] == 1.5


async def test_public_bind_refused_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from vibeflow.serving.gateway_host import GatewayHost

    class NoKeys:
        async def any_active(self) -> bool:
            return False

    class Manager:
        keys = NoKeys()

    monkeypatch.setenv("VIBEFLOW_GATEWAY_HOST", "0.0.0.0")
    monkeypatch.setenv("VIBEFLOW_GATEWAY_PORT", "0")
    host = GatewayHost(Manager())  # type: ignore[arg-type]
    await host.try_start()
    assert not host.running and "without any API key" in (host.error or "")
    assert host.view()["loopback_only"] is False


def test_only_completed_lora_runs_deploy(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from vibeflow.serving.runs_link import adapter_dir, base_of, slug

    folder = Path(_adapter(tmp_path, "run", 8))
    run = SimpleNamespace(id="r1", status="running", adapter_path=None, output_dir=str(folder))
    with pytest.raises(ConfigError, match="only completed runs"):
        adapter_dir(run)
    run.status = "completed"
    assert adapter_dir(run) == folder and base_of(folder) == "meta/llama"
    full = SimpleNamespace(id="r2", status="completed", adapter_path=None, output_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="no LoRA adapter"):
        adapter_dir(full)
    assert slug("Support Bot #2") == "support-bot--2"
    with pytest.raises(ConfigError):
        slug("  ")


@pytest.mark.gpu
def test_vllm_engine_serves_adapter(tmp_path: Path) -> None:
    """On a CUDA machine with vLLM: the real `vllm serve` command we build starts and answers /tokenize."""
    hardware = engines.detect_hardware()
    if not (hardware.cuda and hardware.vllm):
        pytest.skip(f"needs CUDA and vLLM ({hardware.detail}; vllm installed: {hardware.vllm})")
    import asyncio

    import httpx
    from tests.serving.adapters import make_adapter

    from vibeflow.serving.process import EngineProcess, free_port

    adapter = make_adapter(tmp_path / "adapter")
    base = json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"]
    launch = engines.vllm_launch(
        base, {"demo-v1": str(adapter)}, free_port(), chat_template=engines.trained_chat_template(adapter)
    )
    engine = EngineProcess(launch, tmp_path / "vllm.log")
    engine.start()
    try:
        url = asyncio.run(engine.wait_ready(600))
        tokens = httpx.post(
            f"{url}/tokenize", json={"model": "demo-v1", "messages": [{"role": "user", "content": "hi"}]}
        )
        assert tokens.status_code == 200 and tokens.json()["tokens"]
    finally:
        asyncio.run(engine.stop())
