"""The trainer's launch command on the cloud node(s): plain for one GPU, `accelerate launch` with FSDP across GPUs.

Ranks are wired from SkyPilot's multi-node variables (SKYPILOT_NODE_RANK, SKYPILOT_NODE_IPS,
SKYPILOT_NUM_NODES, SKYPILOT_NUM_GPUS_PER_NODE): node 0's IP is the rendezvous address. The HF Trainer picks
FSDP up from the environment `accelerate launch` sets (ACCELERATE_USE_FSDP, FSDP_*), so the trainer itself is
unchanged.
"""

from __future__ import annotations

import shlex

MASTER_PORT = 29500
GPUS_PER_NODE_MAX = 8


def node_layout(gpu_count: int) -> tuple[int, int]:
    """(num_nodes, gpus_per_node): up to 8 GPUs share one node; more spread over nodes of 8."""
    if gpu_count <= GPUS_PER_NODE_MAX:
        return 1, gpu_count
    nodes = -(-gpu_count // GPUS_PER_NODE_MAX)
    if gpu_count % nodes:
        raise ValueError(
            f"compute.gpu_count {gpu_count} does not split evenly over {nodes} nodes of at most "
            f"{GPUS_PER_NODE_MAX} GPUs; use a multiple of {nodes}"
        )
    return nodes, gpu_count // nodes


def trainer_args(spec_path: str, *, ranked: bool = False) -> list[str]:
    """`-m MODULE run SPEC --resume auto`; multi-GPU uses the rank-aware entry (events from rank 0 only)."""
    module = "vibeflow_trainer.rank_launch" if ranked else "vibeflow_trainer"
    return ["-m", module, "run", spec_path, "--resume", "auto"]


def launch_command(spec_path: str, gpu_count: int, *, python: str = "python", method: str = "lora") -> str:
    """Shell command for the task's `run:` section."""
    if gpu_count <= 1:
        return shlex.join([python, *trainer_args(spec_path)])
    fsdp = [
        "--use_fsdp",
        "--fsdp_sharding_strategy", "FULL_SHARD",
        "--fsdp_auto_wrap_policy", "TRANSFORMER_BASED_WRAP",
        "--fsdp_state_dict_type", "SHARDED_STATE_DICT",
        "--fsdp_use_orig_params", "true",  # LoRA: frozen and trainable params share flat buffers
        "--fsdp_cpu_ram_efficient_loading", "true",
        "--fsdp_sync_module_states", "true",
    ]  # fmt: skip
    if (
        method == "qlora"
    ):  # bitsandbytes 4-bit + FSDP needs the quant storage dtype to match; keep it simple: DDP
        fsdp = []
    head = (
        'MASTER_ADDR=$(echo "$SKYPILOT_NODE_IPS" | head -n1)\n'
        "NUM_PROCESSES=$((SKYPILOT_NUM_NODES * SKYPILOT_NUM_GPUS_PER_NODE))\n"
    )
    args = [
        python, "-m", "accelerate.commands.launch",
        "--num_machines", "$SKYPILOT_NUM_NODES",
        "--num_processes", "$NUM_PROCESSES",
        "--machine_rank", "$SKYPILOT_NODE_RANK",
        "--main_process_ip", "$MASTER_ADDR",
        "--main_process_port", str(MASTER_PORT),
        *fsdp,
        *trainer_args(spec_path, ranked=True),
    ]  # fmt: skip
    return head + " ".join(a if a.startswith("$") else shlex.quote(a) for a in args)
