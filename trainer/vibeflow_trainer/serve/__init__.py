"""CPU inference engine speaking the OpenAI API (transformers + peft, several adapters on one base), plus the
train-serve consistency reference and merged-weights export used by the backend's deployments."""
