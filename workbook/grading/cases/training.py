"""The training checks: the learner's `train` must learn, judged by what its `predict` does."""

from __future__ import annotations

from ..spec import TrainingSpec

SPECS = [
    TrainingSpec("xor_mlp", entry="train", runner="training:run_xor",
                 summary="learns XOR and XNOR on the four points (predict(X) gives probabilities of shape "
                         "(n,), also on points it has not seen; predict.losses shows a loss curve)."),
    TrainingSpec("softmax_classifier", entry="train_softmax_classifier", runner="training:run_softmax_classifier",
                 summary="held-out accuracy >= 90% on six interleaved blobs in 3 classes (predict(X) gives "
                         "probabilities (n, n_classes))."),
]
