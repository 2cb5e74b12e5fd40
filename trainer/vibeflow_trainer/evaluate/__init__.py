"""Generation side of evaluation: base vs tuned outputs, reference perplexity, embeddings and a forgetting quiz.

`python -m vibeflow_trainer evaluate SPEC.json` writes predictions.jsonl, embeddings.npz, forgetting.json and
result.json into the spec's output_dir and prints `@@vibeflow@@` events like training does; the backend turns
those files into metrics (server/vibeflow/evaluation/).
"""
