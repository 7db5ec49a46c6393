"""Every URL of a route rule for the route walks: ids from the test's world (1 where the world has
none), and one URL per choice of an ``any(…)`` argument (e.g. an export's ``xlsx`` and ``csv``)."""

from __future__ import annotations

from itertools import product

from werkzeug.routing.converters import AnyConverter


def rule_urls(rule, ids: dict[str, int]) -> list[str]:
    choices = []
    for name in sorted(rule.arguments):
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            choices.append([(name, item) for item in sorted(converter.items)])
        else:
            choices.append([(name, ids.get(name, 1))])
    return [rule.build(dict(combo))[1] for combo in product(*choices)]
