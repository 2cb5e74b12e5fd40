"""Server-side curve downsampling so a 100k-step run still draws from ~500 points.

`minmax` (default) keeps each bucket's lowest and highest point, so spikes and the overall extremes survive;
`lttb` (largest-triangle-three-buckets) keeps the visual shape. Both always keep the first and last point.
"""

from __future__ import annotations

Point = tuple[int, float]


def minmax(points: list[Point], max_points: int) -> list[Point]:
    if len(points) <= max_points or max_points < 4:
        return points if len(points) <= max_points else _stride(points, max_points)
    first, last, middle = points[0], points[-1], points[1:-1]
    buckets = (max_points - 2) // 2
    size = len(middle) / buckets
    out = [first]
    for index in range(buckets):
        bucket = middle[int(index * size) : int((index + 1) * size)]
        if not bucket:
            continue
        low = min(bucket, key=lambda p: p[1])
        high = max(bucket, key=lambda p: p[1])
        out.extend(sorted({low, high}))
    out.append(last)
    return out


def lttb(points: list[Point], max_points: int) -> list[Point]:
    if len(points) <= max_points or max_points < 3:
        return points if len(points) <= max_points else _stride(points, max_points)
    out = [points[0]]
    size = (len(points) - 2) / (max_points - 2)
    previous = points[0]
    for index in range(max_points - 2):
        start, end = int(index * size) + 1, int((index + 1) * size) + 1
        following = points[end : int((index + 2) * size) + 1] or [points[-1]]
        avg_x = sum(p[0] for p in following) / len(following)
        avg_y = sum(p[1] for p in following) / len(following)
        best = max(
            points[start:end],
            key=lambda p: abs(
                (previous[0] - avg_x) * (p[1] - previous[1]) - (previous[0] - p[0]) * (avg_y - previous[1])
            ),
        )
        out.append(best)
        previous = best
    out.append(points[-1])
    return out


def _stride(points: list[Point], max_points: int) -> list[Point]:
    if max_points <= 1:
        return points[-1:]
    step = (len(points) - 1) / (max_points - 1)
    return [points[round(i * step)] for i in range(max_points)]


METHODS = {"minmax": minmax, "lttb": lttb}


def downsample(points: list[Point], max_points: int, method: str = "minmax") -> list[Point]:
    return METHODS[method](points, max_points)
