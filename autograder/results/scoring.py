"""From test records to points: per test case, per assignment, in total."""
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScoredTest:
    record: dict
    score: float
    max_score: float

    @property
    def name(self):
        case = f"[{self.record['case']}]" if self.record["case"] else ""
        return f"{self.record['assignment']}: {self.record['test']}{case}"


@dataclass(frozen=True)
class Scores:
    tests: list
    by_assignment: dict
    max_by_assignment: dict
    late: dict = field(default_factory=dict)  # {folder: Lateness} of the assignments handed in late

    @property
    def total(self):
        return round(sum(self.by_assignment.values()), 4)

    @property
    def max_total(self):
        return round(sum(self.max_by_assignment.values()), 4)


def points_text(value):
    """Points as the gradebook writes them: at most 4 decimals, no trailing zeros (13, 9.6333)."""
    return f"{round(value, 4):.4f}".rstrip("0").rstrip(".")


def score(records, points):
    """Score ``records`` with ``points = {assignment folder: {test function: points}}``.

    The assignments scored are the keys of ``points``, in its order. A test function's points are
    split evenly over its cases. A test with no points entry is a configuration error, reported as
    ``KeyError``.
    """
    cases = Counter((record["assignment"], record["test"]) for record in records)
    tests = []
    for record in records:
        key = (record["assignment"], record["test"])
        if record["test"] not in points.get(record["assignment"], {}):
            raise KeyError(f"{record['assignment']}/grading.toml has no points for {record['test']}")
        max_score = points[record["assignment"]][record["test"]] / cases[key]
        tests.append(ScoredTest(record, max_score if record["passed"] else 0.0, max_score))
    folders = list(points)
    by_assignment = {folder: round(sum(t.score for t in tests if t.record["assignment"] == folder), 4)
                     for folder in folders}
    max_by_assignment = {folder: round(float(sum(points.get(folder, {}).values())), 4) for folder in folders}
    return Scores(tests, by_assignment, max_by_assignment)
