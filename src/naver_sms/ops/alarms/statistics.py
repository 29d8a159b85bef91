"""CloudWatch statistics over the observations of one period."""

from __future__ import annotations

import math
from collections.abc import Sequence

from naver_sms.ops.alarms.datapoints import Observation


def aggregate(
    observations: Sequence[Observation], stat: str, percentile: float | None
) -> float | None:
    """The period's value of `stat`, or None when the period has no datapoint.

    Percentiles need the samples themselves: a period holding a statistic set (how the collector
    publishes histograms) has no percentile, as in CloudWatch. They are nearest-rank over the
    samples weighted by their counts.
    """
    if not observations:
        return None
    if percentile is not None:
        if any(o.stat_set is not None for o in observations):
            return None
        pairs = sorted(
            (v, c) for o in observations for v, c in zip(o.values, o.counts, strict=True)
        )
        total = sum(c for _, c in pairs)
        if total <= 0:
            return None
        rank = max(math.ceil(percentile / 100 * total - 1e-9), 1)
        running = 0.0
        for value, count in pairs:
            running += count
            if running >= rank - 1e-9:
                return value
        return pairs[-1][0]
    total_sum = 0.0
    total_count = 0.0
    low = math.inf
    high = -math.inf
    for o in observations:
        if o.stat_set is not None:
            total_sum += o.stat_set.sum
            total_count += o.stat_set.count
            low = min(low, o.stat_set.minimum)
            high = max(high, o.stat_set.maximum)
        for value, count in zip(o.values, o.counts, strict=True):
            total_sum += value * count
            total_count += count
            low = min(low, value)
            high = max(high, value)
    if stat == "Sum":
        return total_sum
    if stat == "SampleCount":
        return total_count
    if stat == "Average":
        return total_sum / total_count if total_count else None
    if stat == "Minimum":
        return low if low != math.inf else None
    if stat == "Maximum":
        return high if high != -math.inf else None
    raise ValueError(f"unsupported statistic {stat!r}")
