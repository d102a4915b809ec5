"""Checks judged by behaviour (runners in `behaviour.py`): numerical gradients, initialisers, an autograd Value."""

from __future__ import annotations

from ..spec import BehaviourSpec

SPECS = [
    BehaviourSpec("numerical_gradient", entry="numerical_gradient", runner="behaviour:run_numerical_gradient",
                  summary="central differences of a scalar f at an array x of any shape; x left as it was."),
    BehaviourSpec("init_weights", entry="init_weights", runner="behaviour:run_init_weights",
                  summary="(fan_out, fan_in) weights drawn from rng, variance 2/fan_in ('he') or "
                          "2/(fan_in + fan_out) ('xavier'), judged statistically."),
    BehaviourSpec("autograd_value", entry="Value", runner="behaviour:run_autograd_value",
                  summary="class Value with +, *, .tanh(), .relu(), .backward(), .data and .grad, judged on "
                          "hand-picked and random expression graphs, values used twice included."),
]
