"""Every check's spec, by topic, in teaching order.

Adding an array check: write the reference function in `workbook/reference.py` (its name and
signature are the learner's), then add one `ArraySpec` to the topic's `SPECS` below. The registry,
the signature shown to learners and the runner all follow from that entry. A check judged by
behaviour rather than by expected arrays is a `BehaviourSpec` in `behaviour.py` naming its runner.
"""

from __future__ import annotations

from . import activations, backprop, behaviour, convolution, layers, losses, optimisers, training

SPECS = (*activations.SPECS, *losses.SPECS, *optimisers.SPECS, *layers.SPECS, *backprop.SPECS, *convolution.SPECS,
         *behaviour.SPECS, *training.SPECS)
"""Every spec in teaching order."""
