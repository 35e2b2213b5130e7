"""Near-identical submissions are found after normalising the syntax tree, with the release's stub left out."""
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, REPO

from autograder.results.similarity import DEFAULT_THRESHOLD, MAX_LINES, similar_pairs, threshold, written_lines
from autograder.submissions.discover import Submission

SOFTMAX = REPO / "solutions" / "02_softmax" / "softmax.py"
# The reference's nll and softmax, rewritten as someone copying would disguise them.
DISGUISED = {
    "    log_likelihoods = np.sum(Y_true * np.log(EPSILON + Y_pred), axis=1)\n":
        "    # sum the log-likelihood of each row\n    ll = np.sum(Y_true * np.log(EPSILON + Y_pred),\n"
        "                axis=1)\n",
    "    return float(-np.mean(log_likelihoods))\n": "    return float(-np.mean(ll))  # the mean over rows\n",
}
DIFFERENT = {"    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n":
             "    shifted = X - X.max(axis=-1, keepdims=True)\n    top = np.exp(shifted)\n    exp = top.copy()\n"
             "    exp[exp < 0] = 0.0\n    exp = exp * 1.0\n"}


def submission(tmp_path, student, replacements=None, source=SOFTMAX):
    text = Path(source).read_text()
    for old, new in (replacements or {}).items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder = tmp_path / student / "02_softmax"
    folder.mkdir(parents=True)
    (folder / "softmax.py").write_text(text)
    return Submission(student, tmp_path / student)


def test_renamed_locals_comments_and_layout_do_not_hide_a_copy(tmp_path):
    subs = [submission(tmp_path, "ada"), submission(tmp_path, "bob", DISGUISED),
            submission(tmp_path, "cy", DIFFERENT), submission(tmp_path, "dee", source=REPO / "assignments" / "02_softmax" / "softmax.py")]
    pairs = [pair for pair in similar_pairs(subs, REPO, limit=0.9) if pair.assignment == "02_softmax"]
    assert [(pair.students, pair.score) for pair in pairs][:1] == [(("ada", "bob"), 1.0)]
    assert all("dee" not in pair.students for pair in pairs)  # the untouched stub has nothing written
    cy = [pair for pair in pairs if "cy" in pair.students]
    assert all(pair.score < 1 for pair in cy)
    assert not [pair for pair in similar_pairs(subs, REPO, limit=0.999) if "cy" in pair.students]


def test_the_stub_and_given_code_are_left_out(tmp_path):
    stub = REPO / "assignments" / "02_softmax" / "softmax.py"
    
    softmax = next(a for a in ASSIGNMENTS if a.folder == "02_softmax")
    assert written_lines(stub, REPO, softmax) == []
    lines = written_lines(SOFTMAX, REPO, softmax)
    assert lines and not any("NotImplementedError" in line or '"""' in line for line in lines)


def test_a_definition_too_deep_to_normalise_is_left_out_not_the_report(tmp_path):
    # 900 terms compile and import (the worker grades it), but a sum is a tree 900 levels deep: the normaliser's
    # recursion once ended `grade` with a RecursionError after the batch, without report.html, on every rerun.
    deep = {"    return exp / np.sum(exp, axis=-1, keepdims=True)\n":
            "    return exp / (np.sum(exp, axis=-1, keepdims=True) + " + " + ".join(["0.0"] * 900) + ")\n"}
    subs = [submission(tmp_path, "ada"), submission(tmp_path, "deep", deep), submission(tmp_path, "eve")]
    compile((tmp_path / "deep" / "02_softmax" / "softmax.py").read_text(), "softmax.py", "exec")
    pairs = similar_pairs(subs, REPO, limit=0.9)
    assert [pair.students for pair in pairs if pair.assignment == "02_softmax"] == [("ada", "eve")]


def test_a_file_no_reader_foresaw_is_left_out_not_the_report(tmp_path, monkeypatch):
    # A notebook cell whose source was a list of numbers raised TypeError out of the notebook reader here: `grade` ended
    # after the batch with a traceback, no report.html, on every rerun. Whatever a reader raises costs that file only.
    from autograder.results import similarity

    subs = [submission(tmp_path, "ada"), submission(tmp_path, "odd"), submission(tmp_path, "eve")]
    read = similarity.written_lines

    def unforeseen(path, *args):
        if "odd" in path.parts:
            raise TypeError("sequence item 0: expected str instance, int found")
        return read(path, *args)

    monkeypatch.setattr(similarity, "written_lines", unforeseen)
    pairs = similar_pairs(subs, REPO, limit=0.9)
    assert [pair.students for pair in pairs if pair.assignment == "02_softmax"] == [("ada", "eve")]


def test_long_files_are_compared_on_their_first_lines(tmp_path):
    # Where lines repeat, a comparison's cost grows with the product of the two lengths: two softmax.py of 60,000 lines
    # `_ = 1` (600 KB, under the parse bound), one line apart, held `grade` minutes after the batch, on every rerun.
    alike = "    X = np.asarray(X)\n"
    subs = [submission(tmp_path, "ada"),
            submission(tmp_path, "eve", {alike: "    _ = 1\n" * (MAX_LINES + 500) + alike}),
            submission(tmp_path, "mal", {alike: "    _ = 2\n" + "    _ = 1\n" * (MAX_LINES + 500) + alike})]
    pairs = [pair for pair in similar_pairs(subs, REPO, limit=0.9) if pair.assignment == "02_softmax"]
    assert [(pair.first, pair.second) for pair in pairs] == [(("eve",), ("mal",))]
    assert len(pairs[0].first_lines) == len(pairs[0].second_lines) == MAX_LINES


@pytest.mark.parametrize("text, expected", [(None, DEFAULT_THRESHOLD), ("[similarity]\nthreshold = 0.75\n", 0.75),
                                            ("[other]\nx = 1\n", DEFAULT_THRESHOLD)])
def test_the_threshold_comes_from_course_toml(tmp_path, text, expected):
    if text is not None:
        (tmp_path / "course.toml").write_text(text)
    assert threshold(tmp_path) == expected


def test_a_threshold_out_of_range_says_what_to_write(tmp_path):
    (tmp_path / "course.toml").write_text("[similarity]\nthreshold = 5\n")
    with pytest.raises(ValueError, match=r"threshold must be a number in \(0, 1\]"):
        threshold(tmp_path)
